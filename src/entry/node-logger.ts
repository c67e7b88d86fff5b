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
  let pending = '';
  let scheduled = false;
  let lastMs = 0;
  let lastTime = '';
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  const logger = (record: Parameters<Logger>[0]) => {
    // The time first, without copying the record: its own JSON follows the time field.
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastTime = new Date(ms).toISOString();
    }
    const fields = JSON.stringify(record);
    pending += `{"time":"${lastTime}"${fields.length > 2 ? ',' : ''}${fields.slice(1)}\n`;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return Object.assign(logger, { flush });
}
