import type { MiddlewareHandler } from 'hono';
import type { BodyOutcome, RequestContext, RequestRecord } from '../exchange/request-record.js';
import type { Logger, LogRecord } from '../logger.js';
import type { Account } from '../usage/accounting.js';

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
  /** Counts each finished `/v1/*` request (usage, cost, metrics). */
  account?: Account;
  /** The in-flight gauges /metrics shows, kept here where requests begin and end. */
  gauges?: { requestsInFlight: number; streamsInFlight: number };
}): RequestLogger {
  const { logger, now, redact, account } = options;
  const gauges = options.gauges ?? { requestsInFlight: 0, streamsInFlight: 0 };
  return {
    begin: () => {
      gauges.requestsInFlight += 1;
      return { id: crypto.randomUUID(), start: now(), attempts: 0 };
    },
    finish(record, summary, context) {
      const stream = record.done !== undefined && record.stream === true;
      if (stream) gauges.streamsInFlight += 1;
      const write = (outcome?: BodyOutcome) => {
        gauges.requestsInFlight -= 1;
        if (stream) gauges.streamsInFlight -= 1;
        const durationMs = now() - record.start;
        const line: LogRecord = {
          level: summary.status >= 500 ? 'error' : 'info',
          msg: 'request',
          requestId: record.id,
          method: summary.method,
          path: redact(summary.path),
          status: summary.status,
          provider: record.provider ?? null,
          attempts: record.attempts,
          durationMs,
        };
        // Added, not spread in: a spread copies the whole record again on every request.
        if (outcome !== undefined) line.outcome = outcome;
        if (record.continued === true) line.continued = true;
        if (record.key !== undefined) line.key = record.key;
        if (record.model !== undefined) line.model = record.model;
        if (record.servedModel !== undefined) line.servedModel = record.servedModel;
        if (record.firstByteAt !== undefined) line.ttfbMs = record.firstByteAt - record.start;
        const { usage } = record;
        if (usage !== undefined) {
          line.inputTokens = usage.inputTokens;
          line.outputTokens = usage.outputTokens;
          line.cachedTokens = usage.cachedTokens;
          line.reasoningTokens = usage.reasoningTokens;
          if (usage.estimated) line.usageEstimated = true;
        }
        if (account !== undefined && summary.path.startsWith('/v1/')) {
          const costUsd = account(record, { status: summary.status, outcome, durationMs });
          if (costUsd !== undefined) line.costUsd = costUsd;
        }
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
