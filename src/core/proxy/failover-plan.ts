import type { Provider } from '../providers/provider-pool.js';

/** The failures after which a provider is not asked again in the same request while anything else remains. */
const SILENT_OR_CUT = new Set([
  'headers_timeout',
  'first_token_timeout',
  'body_stalled',
  'body_failed',
  'stream_ended_early',
]);

/** Whether a failure of this kind moves the request on at once rather than back to the same provider. */
export function movesOn(kind: string): boolean {
  return SILENT_OR_CUT.has(kind);
}

/** Whether a provider can take an attempt now: no Retry-After or backoff running, breaker allowing. */
export function readyNow(provider: Provider, now: number): boolean {
  return provider.notBefore <= now && provider.breaker.canAttempt();
}

/**
 * A request's candidates, model by model: the requested model's providers, then each fallback model's. Made
 * per request only when the configuration names models (otherwise it is one list, the providers).
 *
 * @example
 * const plan = failoverPlan([served, ...fallbackPools]);
 * plan.hasLater(0); // a fallback model has a provider
 */
export function failoverPlan(pools: readonly (readonly Provider[])[]) {
  return {
    pools,
    /** Whether a model after `index` in the chain has any provider. */
    hasLater(index: number): boolean {
      for (let i = index + 1; i < pools.length; i++)
        if ((pools[i] as readonly Provider[]).length > 0) return true;
      return false;
    },
    /** Whether a model after `index` has a provider ready now (a reason not to wait for this model's). */
    laterReady(index: number, now: number): boolean {
      for (let i = index + 1; i < pools.length; i++) {
        if ((pools[i] as readonly Provider[]).some((provider) => readyNow(provider, now))) return true;
      }
      return false;
    },
    /** How long until the first provider of the whole chain frees up from Retry-After or backoff. */
    soonestFree(now: number): number {
      let soonest = Number.POSITIVE_INFINITY;
      for (const pool of pools)
        for (const provider of pool) soonest = Math.min(soonest, provider.notBefore - now);
      return Math.max(0, soonest);
    },
    /** Whether every provider of the chain is rate limited (its last failure a 429, Retry-After running). */
    allRateLimited(now: number): boolean {
      let any = false;
      for (const pool of pools) {
        for (const provider of pool) {
          if (provider.notBefore <= now || provider.lastError !== 'rate_limited') return false;
          any = true;
        }
      }
      return any;
    },
  };
}

export type FailoverPlan = ReturnType<typeof failoverPlan>;
