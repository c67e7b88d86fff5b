/** One structured log line. Never put a token, a client key or a body in one. */
export interface LogRecord {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

/** Where the core writes its log lines; each entry decides the sink (stdout JSON on Node, console on Workers). */
export type Logger = (record: LogRecord) => void;

/** A logger that writes one JSON line per record with `console.log`, available on every runtime. */
export const jsonConsoleLogger: Logger = function logJson(record) {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...record }));
};
