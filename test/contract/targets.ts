import { type LogRecord, parseConfig } from '../../src/core/index.js';
import { startNodeServer } from '../../src/entry/node-server.js';

/** A running gateway the contract suite talks to over real sockets. */
export interface Target {
  readonly url: string;
  /** Every log line the gateway wrote, to check that no secret reaches the logs. */
  readonly logs: LogRecord[];
  close(): Promise<void>;
}

export type StartTarget = (env: Record<string, string>) => Promise<Target>;

/** The gateway served by the Node entry, in this process, on an ephemeral port. */
export const startNodeTarget: StartTarget = async (env) => {
  const logs: LogRecord[] = [];
  const server = await startNodeServer({
    config: parseConfig({ HOST: '127.0.0.1', PORT: '0', ...env }),
    logger: (record) => logs.push(record),
  });
  return { url: server.url, logs, close: () => server.close() };
};
