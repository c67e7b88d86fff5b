import type { MiddlewareHandler } from 'hono';
import type { RequestContext, RequestRecord } from '../exchange/request-record.js';
import type { Logger, LogRecord } from '../logger.js';

type Env = { Bindings: RequestContext; Variables: { record: RequestRecord } };

/** What the log line says of a request besides its record. */
export interface RequestSummary {
  method: string;
  /** The path, without the query string (which may carry secrets). */
  path: string;
  status: number;
}

export interface RequestLogger {
  /** A new request: its id and start time. */
  begin(): RequestRecord;
  /** Writes the request's one log line: now, or once a proxied body has ended (kept alive by `waitUntil`). */
  finish(record: RequestRecord, summary: RequestSummary, context?: RequestContext): void;
}

/**
 * Gives each request an id and writes one JSON log line for it: when the response is ready, or for a proxied
 * body when that body has ended. Nothing of headers or bodies is logged.
 *
 * @example
 * const log = createRequestLogger({ logger: jsonConsoleLogger, now: Date.now, redact: createSecretRedactor(secrets) });
 * const record = log.begin(); // ... log.finish(record, { method, path, status });
 */
export function createRequestLogger(options: {
  logger: Logger;
  now: () => number;
  /** Takes secrets out of the path (a client may put its key there): see `createSecretRedactor`. */
  redact: (text: string) => string;
}): RequestLogger {
  const { logger, now, redact } = options;
  return {
    begin: () => ({ id: crypto.randomUUID(), start: now(), attempts: 0 }),
    finish(record, summary, context) {
      const write = (outcome?: string) => {
        const line: LogRecord = {
          level: summary.status >= 500 ? 'error' : 'info',
          msg: 'request',
          requestId: record.id,
          method: summary.method,
          path: redact(summary.path),
          status: summary.status,
          provider: record.provider ?? null,
          attempts: record.attempts,
          durationMs: now() - record.start,
        };
        // Added, not spread in: a spread copies the whole record again on every request.
        if (outcome !== undefined) line.outcome = outcome;
        if (record.continued === true) line.continued = true;
        logger(line);
      };
      if (record.done === undefined) return write(record.outcome);
      const logged = record.done.then(write);
      context?.waitUntil?.(logged);
    },
  };
}

/**
 * The {@link RequestLogger} as Hono middleware: the record in `c.get('record')`, `x-request-id` on the response.
 *
 * @example
 * app.use(requestLog(createRequestLogger({ logger: jsonConsoleLogger, now: Date.now, redact })));
 */
export function requestLog(log: RequestLogger): MiddlewareHandler<Env> {
  return async function requestLogMiddleware(c, next) {
    const record = log.begin();
    c.set('record', record);
    await next();
    c.res.headers.set('x-request-id', record.id);
    log.finish(record, { method: c.req.method, path: c.req.path, status: c.res.status }, c.env);
  };
}
