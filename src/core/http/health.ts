import type { GatewayResponse } from '../exchange/exchange.js';
import { LightHeaders } from '../exchange/header-map.js';
import type { Provider } from '../providers/provider-pool.js';

const encoder = new TextEncoder();

/** The body of `GET /health`. Nothing in it is secret: it is served without a key. */
export interface HealthReport {
  /** `degraded` while a provider's breaker is not closed: the gateway works around it. */
  status: 'ok' | 'degraded';
  uptimeSeconds: number;
  providers: number;
  providersOpen: number;
  /** Providers that can take a request now (no Retry-After or backoff running, breaker allowing). */
  providersReady: number;
  /** Why the status is `degraded`, when it is. */
  reason?: string;
  /** When no provider can take a request: seconds until the first one can (as a Retry-After would say). */
  retryAfterSeconds?: number;
  demo: boolean;
}

/**
 * The answer to `GET /health`, made on the core's own response type, so that a runtime serving the core
 * without Web `Request`/`Response` (the Node entry) answers health probes without them too.
 *
 * @example
 * const health = createHealthCheck({ providers, uptimeSeconds: () => 0, demo: false, now: Date.now });
 * health(); // { status: 200, body: {"status":"ok","uptimeSeconds":0,...} }
 */
export function createHealthCheck(options: {
  providers: readonly Provider[];
  /** Whole seconds since the gateway started (as /stats reports it). */
  uptimeSeconds: () => number;
  demo: boolean;
  now: () => number;
}): () => GatewayResponse {
  const { providers, uptimeSeconds, demo, now } = options;
  return function healthCheck() {
    const at = now();
    // Degraded, not down: the gateway itself is fine, and a provider with an open breaker is being worked around.
    const open = providers.filter((provider) => provider.breaker.snapshot().state !== 'closed').length;
    const ready = providers.filter((provider) => provider.notBefore <= at && provider.breaker.canAttempt());
    const report: HealthReport = {
      status: open === 0 && ready.length > 0 ? 'ok' : 'degraded',
      uptimeSeconds: uptimeSeconds(),
      providers: providers.length,
      providersOpen: open,
      providersReady: ready.length,
      demo,
    };
    if (ready.length === 0 && providers.length > 0) {
      const limited = providers.every((provider) => provider.lastError === 'rate_limited');
      const soonest = Math.min(
        ...providers.map((provider) => Math.max(provider.notBefore, provider.breaker.readyAt())),
      );
      report.reason = limited
        ? 'every provider is rate limited (Retry-After): no provider can take a request now'
        : 'no provider can take a request now (rate limits, backoff or open circuit breakers)';
      report.retryAfterSeconds = Math.max(1, Math.ceil((soonest - at) / 1000));
    } else if (open > 0) {
      report.reason = `${open} provider(s) failing: circuit breaker open, requests go to the others`;
    }
    return {
      status: 200,
      headers: new LightHeaders({ 'content-type': 'application/json' }),
      body: encoder.encode(JSON.stringify(report)) as Uint8Array<ArrayBuffer>,
    };
  };
}
