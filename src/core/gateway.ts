import { Hono } from 'hono';
import { presentedKeys } from './auth/client-keys.js';
import { createKeyVerifier } from './auth/key-verifier.js';
import { requireClientKey } from './auth/require-client-key.js';
import { createSecretCheck } from './auth/secret-check.js';
import { createBalancer } from './balancer/create-balancer.js';
import type { Random } from './balancer/strategy.js';
import type { Config } from './config/schema.js';
import { createDemoFetch } from './demo/demo-fetch.js';
import { EndpointNotAllowedError, GatewayError, InvalidRequestError } from './errors/gateway-error.js';
import { renderError } from './errors/render-error.js';
import { fromWebRequest, toWebResponse } from './exchange/exchange.js';
import type { RequestContext, RequestRecord } from './exchange/request-record.js';
import { cors, createCorsPolicy } from './http/cors.js';
import { createHealthCheck } from './http/health.js';
import { createProxyRoute, type ProxyRoute, pathOf, unexpectedError } from './http/proxy-route.js';
import { createRequestLogger, requestLog } from './http/request-log.js';
import { createSecretRedactor } from './http/secret-redactor.js';
import { metricsRoute, usageReport } from './http/usage-routes.js';
import { jsonConsoleLogger, type Logger } from './logger.js';
import { createProviders, providerStats } from './providers/provider-pool.js';
import { fetchTransport, type UpstreamFetch, type UpstreamTransport } from './providers/transport.js';
import { createForward } from './proxy/forward.js';
import type { StartTimer } from './resilience/start-timer.js';
import { createModelsList } from './routing/models-list.js';
import { pathAllowList } from './routing/path-allow-list.js';
import { createAccounting } from './usage/accounting.js';
import { createUsageLedger } from './usage/usage-ledger.js';

export interface GatewayOptions {
  config: Config;
  /** How upstream calls are made; defaults to the runtime's `fetch` (or `fetch` below). */
  transport?: UpstreamTransport;
  /** A `fetch` to make upstream calls with, when no `transport` is given; defaults to the runtime's. */
  fetch?: UpstreamFetch;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  now?: () => number;
  /**
   * Starts the per-request timeouts; defaults to the runtime's `setTimeout`. The Node entry gives a cheaper one
   * for long timeouts.
   */
  startTimer?: StartTimer;
  /** Defaults to `Math.random`. */
  random?: Random;
  /** Defaults to one JSON line per record on `console.log`. */
  logger?: Logger;
  /** Shown in /stats, e.g. `node` or `workers`. */
  runtime?: string;
  /**
   * What the /stats counters cover: the whole `process` (Node), or one `isolate` (Workers, where each
   * isolate keeps its own counters). Defaults to `process`.
   */
  statsScope?: 'process' | 'isolate';
}

export interface Gateway {
  /** The whole gateway as a Web-standard handler. */
  fetch(request: Request, context?: RequestContext): Promise<Response>;
  /**
   * The `/v1/*` route and `/health` on the core's own request and response types, for a runtime that serves them without
   * Web `Request`/`Response` (the Node entry). `fetch` answers the same requests the same way.
   */
  readonly proxy: ProxyRoute;
}

type AppEnv = { Bindings: RequestContext; Variables: { record: RequestRecord } };

/**
 * The gateway as a function from `Request` to `Response`, on Web standards only: the same on Node and Workers.
 * Build it once per process (per isolate on Workers) from a parsed {@link Config}.
 *
 * @example
 * const gateway = createGateway({ config: parseConfig(env) });
 * const response = await gateway.fetch(new Request('http://gw/health')); // 200 {"status":"ok",...}
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? jsonConsoleLogger;
  const transport = options.transport ?? fetchTransport(options.fetch ?? ((url, init) => fetch(url, init)));
  const demo = config.demo ? fetchTransport(createDemoFetch({ now })) : undefined;
  const random = options.random ?? Math.random;
  const providers = createProviders({
    providers: config.providers,
    transportFor: () => demo ?? transport,
    breaker: { ...config.breaker, now },
  });
  const forward = createForward({
    providers,
    balancer: createBalancer({ strategy: config.strategy, random }),
    now,
    startTimer: options.startTimer,
    random,
    maxBodyBytes: config.maxBodyBytes,
    maxAttempts: config.maxAttempts,
    upstreamHeadersTimeoutMs: config.upstreamHeadersTimeoutMs,
    firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    streamIdleTimeoutMs: config.streamIdleTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    clientBodyTimeoutMs: config.clientBodyTimeoutMs,
    maxFirstEventBytes: config.maxFirstEventBytes,
    maxHeldBodyBytes: config.maxHeldBodyBytes,
    maxDecodedBodyBytes: config.maxDecodedBodyBytes,
    modelFallbacks: config.modelFallbacks,
  });
  const verifyKey = createKeyVerifier(config.clientKeys);
  const withClientKey = requireClientKey(verifyKey);
  const corsPolicy = createCorsPolicy({ origins: config.corsOrigins });
  // Every secret the configuration holds, kept out of logged paths and error messages.
  const redact = createSecretRedactor([
    ...config.providers.flatMap((provider) => (provider.token === undefined ? [] : [provider.token])),
    // A provider's own headers may carry credentials too (values from headersEnv usually do).
    ...config.providers.flatMap((provider) => Object.values(provider.headers ?? {})),
    ...(config.clientKeys.kind === 'unset' ? [] : config.clientKeys.keys).flatMap((key) =>
      key.secret === undefined ? [] : [key.secret],
    ),
    ...(config.adminKey === undefined ? [] : [config.adminKey]),
    ...(config.metricsKey === undefined || config.metricsKey === '*' ? [] : [config.metricsKey]),
  ]);
  const ledger = createUsageLedger();
  const account = createAccounting({ ledger, modelNames: configuredModels(config), prices: config.prices });
  const log = createRequestLogger({ logger, now, redact, account, gauges: ledger.gauges });
  const isAdmin = createSecretCheck(config.adminKey);
  const isMetricsKey = createSecretCheck(config.metricsKey === '*' ? undefined : config.metricsKey);
  // Models are named in the configuration: GET /v1/models lists them (and what unlisted providers report).
  const listsModels = providers.some(
    (provider) => provider.models !== undefined || provider.aliases !== undefined,
  );
  const startedAt = now();
  const uptimeSeconds = () => Math.floor((now() - startedAt) / 1000);
  const health = createHealthCheck({ providers, uptimeSeconds, demo: config.demo, now });
  const allowed = pathAllowList(config.allowedPaths);
  const proxy = createProxyRoute({
    allowed,
    forward,
    verifyKey,
    cors: corsPolicy,
    log,
    logger,
    listsModels,
    health,
    redact,
    perKey: {
      maxRequests: config.maxConcurrentRequestsPerKey,
      maxStreams: config.maxOpenStreamsPerKey,
    },
  });

  const app = new Hono<AppEnv>();
  // The proxy route (/v1/* and /health) answers whole (log, CORS and errors included), before the app's middleware.
  app.all('*', async (c, next) => {
    if (!proxy.claims(c.req.method, pathOf(c.req.url))) return next();
    const answer = await proxy.handle(fromWebRequest(c.req.raw), c.env);
    try {
      return toWebResponse(answer);
    } catch (error) {
      // A status or header a Web Response refuses (a bug): the client gets the plain 500, never the message.
      const id = answer.headers.get('x-request-id') ?? crypto.randomUUID();
      logger(unexpectedError(error, id, redact));
      if (answer.body !== null && !(answer.body instanceof Uint8Array)) void answer.body.cancel();
      return renderError(error, id);
    }
  });
  app.use(requestLog(log));
  app.use(cors(corsPolicy));
  // GATEWAY_ADMIN_KEY sees everything; a client key sees its own key's usage and no provider base URLs.
  app.get('/stats', async (c) => {
    const presented = presentedKeys(c.req.raw.headers);
    const admin = isAdmin(presented);
    const record = c.get('record');
    if (!admin) record.key = await verifyKey(presented);
    return c.json({
      strategy: config.strategy,
      runtime: options.runtime ?? null,
      scope: options.statsScope ?? 'process',
      ...(options.statsScope === 'isolate'
        ? {
            note: 'Counters are per Workers isolate: each isolate serving this Worker keeps its own. The request log lines are the durable record.',
          }
        : {}),
      demo: config.demo,
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: uptimeSeconds(),
      providers: providers.map((provider) => {
        const stats = providerStats(provider, now());
        if (admin) return stats;
        const { baseUrl: _hidden, ...shown } = stats;
        return shown;
      }),
      usage: usageReport(ledger, { admin, key: record.key }),
    });
  });
  // /metrics exists only when a key may read it (METRICS_API_KEY or GATEWAY_ADMIN_KEY), or METRICS_API_KEY=*.
  if (config.metricsKey !== undefined || config.adminKey !== undefined) {
    app.get(
      '/metrics',
      metricsRoute({
        ledger,
        providers,
        priced: Object.keys(config.prices).length > 0,
        open: config.metricsKey === '*',
        allowed: (presented) => isMetricsKey(presented) || isAdmin(presented),
      }),
    );
  }
  if (listsModels) {
    const listModels = createModelsList({
      providers,
      now,
      cacheMs: config.modelsCacheTtlMs,
      timeoutMs: 3_000,
      maxBytes: config.maxHeldBodyBytes,
    });
    app.get('/v1/models', withClientKey, async (c) => {
      // The gateway's own listing is the `models` endpoint to an allow-list, as a forwarded one would be.
      if (allowed !== undefined && !allowed('models')) throw new EndpointNotAllowedError('models');
      return c.json(await listModels());
    });
  }
  app.notFound((c) => {
    const route = `${c.req.method} ${c.req.path}`.slice(0, 200);
    return renderError(
      new InvalidRequestError(`Unknown route: ${route}. This gateway serves /v1/*, /health and /stats.`, {
        status: 404,
        code: 'unknown_url',
      }),
      c.get('record').id,
    );
  });
  app.onError((error, c) => {
    // No record when the error came before the request log's middleware ran.
    const id = (c.get('record') as RequestRecord | undefined)?.id ?? crypto.randomUUID();
    if (!(error instanceof GatewayError)) logger(unexpectedError(error, id, redact));
    return renderError(error, id);
  });

  return {
    fetch: async function gatewayFetch(request, context = {}) {
      return app.fetch(request, context);
    },
    proxy,
  };
}

/** Every model name the configuration spells out: the model labels /stats and /metrics use (others: `other`). */
function configuredModels(config: Config): string[] {
  const names = new Set<string>();
  for (const provider of config.providers) {
    for (const model of provider.models ?? []) if (!model.includes('*')) names.add(model);
    for (const alias of Object.keys(provider.aliases ?? {})) names.add(alias);
  }
  for (const [model, fallbacks] of Object.entries(config.modelFallbacks)) {
    names.add(model);
    for (const fallback of fallbacks) names.add(fallback);
  }
  return [...names];
}
