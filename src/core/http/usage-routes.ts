import type { Handler } from 'hono';
import { presentedKeys } from '../auth/client-keys.js';
import { AuthenticationError } from '../errors/gateway-error.js';
import type { Provider } from '../providers/provider-pool.js';
import { prometheusText } from '../usage/prometheus-text.js';
import type { UsageLedger, UsageTotals } from '../usage/usage-ledger.js';

/**
 * /stats' `usage`: totals by key, model and provider. The admin sees every key; a client key only its own.
 *
 * @example
 * usageReport(ledger, { admin: false, key: 'team-a' }); // { byKey: { 'team-a': {...} }, byModel, byProvider }
 */
export function usageReport(ledger: UsageLedger, viewer: { admin: boolean; key: string | undefined }) {
  const byKey: Record<string, UsageTotals> = {};
  for (const [name, totals] of ledger.byKey) if (viewer.admin || name === viewer.key) byKey[name] = totals;
  return {
    byKey,
    byModel: Object.fromEntries(ledger.byModel),
    byProvider: Object.fromEntries(ledger.byProvider),
  };
}

/**
 * `GET /metrics`: the Prometheus text for the metrics key or the admin key (anyone with `open`), else 401.
 *
 * @example
 * app.get('/metrics', metricsRoute({ ledger, providers, priced: false, open: false, allowed }));
 */
export function metricsRoute(options: {
  ledger: UsageLedger;
  providers: readonly Provider[];
  /** A price table is configured: cost is exposed. */
  priced: boolean;
  /** `METRICS_API_KEY=*`: no key needed. */
  open: boolean;
  /** Whether the presented keys include the metrics key or the admin key. */
  allowed: (presented: readonly string[]) => boolean;
}): Handler {
  const { ledger, providers, priced } = options;
  return function serveMetrics(c) {
    if (!options.open && !options.allowed(presentedKeys(c.req.raw.headers))) {
      throw new AuthenticationError(
        'GET /metrics needs "Authorization: Bearer <METRICS_API_KEY>" (or GATEWAY_ADMIN_KEY).',
      );
    }
    const text = prometheusText({
      ledger,
      priced,
      providers: providers.map((provider) => ({
        id: provider.id,
        attempts: provider.requests,
        failures: provider.errors,
        breaker: provider.breaker.snapshot().state,
      })),
    });
    return c.body(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  };
}
