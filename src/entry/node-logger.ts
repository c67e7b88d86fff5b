import type { Logger } from '../core/index.js';

/**
 * One JSON line per record on stdout, written in batches: lines gathered during one turn of the event loop go
 * out in a single write, instead of one synchronous write (and syscall) per request.
 *
 * @example
 * const logger = batchedStdoutLogger();
 * createGateway({ config, logger });
 */
export function batchedStdoutLogger(
  write: (text: string) => void = (text) => process.stdout.write(text),
): Logger & {
  flush(): void;
} {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  const logger = (record: Parameters<Logger>[0]) => {
    pending.push(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return Object.assign(logger, { flush });
}
