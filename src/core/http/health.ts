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
  demo: boolean;
}

/**
 * The answer to `GET /health`, made on the core's own response type, so that a runtime serving the core
 * without Web `Request`/`Response` (the Node entry) answers health probes without them too.
 *
 * @example
 * const health = createHealthCheck({ providers, uptimeSeconds: () => 0, demo: false });
 * health(); // { status: 200, body: {"status":"ok","uptimeSeconds":0,...} }
 */
export function createHealthCheck(options: {
  providers: readonly Provider[];
  /** Whole seconds since the gateway started (as /stats reports it). */
  uptimeSeconds: () => number;
  demo: boolean;
}): () => GatewayResponse {
  const { providers, uptimeSeconds, demo } = options;
  return function healthCheck() {
    // Degraded, not down: the gateway itself is fine, and a provider with an open breaker is being worked around.
    const open = providers.filter((provider) => provider.breaker.snapshot().state !== 'closed').length;
    const report: HealthReport = {
      status: open === 0 ? 'ok' : 'degraded',
      uptimeSeconds: uptimeSeconds(),
      providers: providers.length,
      providersOpen: open,
      demo,
    };
    return {
      status: 200,
      headers: new LightHeaders({ 'content-type': 'application/json' }),
      body: encoder.encode(JSON.stringify(report)) as Uint8Array<ArrayBuffer>,
    };
  };
}
