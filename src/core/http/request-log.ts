import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.js';
import type { RequestContext, RequestRecord } from './request-record.js';

type Env = { Bindings: RequestContext; Variables: { record: RequestRecord } };

/**
 * Gives each request an id (`x-request-id` on the response) and writes one JSON log line for it: when the
 * response is ready, or for a proxied body when that body has ended. Logs the path without its query
 * string, and nothing of headers or bodies.
 *
 * @example
 * app.use(requestLog({ logger: jsonConsoleLogger, now: Date.now }));
 */
export function requestLog(options: { logger: Logger; now: () => number }): MiddlewareHandler<Env> {
  const { logger, now } = options;
  return async function requestLogMiddleware(c, next) {
    const record: RequestRecord = { id: crypto.randomUUID(), start: now(), attempts: 0 };
    c.set('record', record);
    await next();
    c.res.headers.set('x-request-id', record.id);
    const status = c.res.status;
    const write = (outcome?: string) =>
      logger({
        level: status >= 500 ? 'error' : 'info',
        msg: 'request',
        requestId: record.id,
        method: c.req.method,
        path: c.req.path,
        status,
        provider: record.provider ?? null,
        attempts: record.attempts,
        durationMs: now() - record.start,
        ...(outcome === undefined ? {} : { outcome }),
      });
    if (record.done === undefined) return write();
    const logged = record.done.then(write);
    c.env?.waitUntil?.(logged);
  };
}
