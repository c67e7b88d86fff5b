import type { Balancer } from '../balancer/create-balancer.js';
import type { Provider } from '../providers/provider-pool.js';

export interface Selection {
  provider: Provider;
  /** How long to wait before the attempt (Retry-After or backoff still running); 0 to go now. */
  waitMs: number;
}

/** The providers that pass `test`: the list itself when all do (the usual case), so nothing is copied. */
function kept(providers: readonly Provider[], test: (provider: Provider) => boolean): readonly Provider[] {
  return providers.every(test) ? providers : providers.filter(test);
}

/**
 * Chooses where the next attempt of a request goes. Providers not yet tried come first; once all were tried,
 * any may be tried again. Among those, the strategy picks from the ones ready now (breaker allowing, no
 * Retry-After or backoff running). When only open breakers stand in the way, the provider whose cooldown
 * ends first is tried at once rather than refusing; when Retry-After or backoff blocks them all, the one free
 * soonest is chosen with the wait it needs: the caller decides whether that wait fits.
 *
 * @example
 * const next = selectProvider({ providers, tried, balancer, now: Date.now() });
 */
export function selectProvider(options: {
  providers: readonly Provider[];
  tried: ReadonlySet<Provider>;
  balancer: Balancer;
  now: number;
}): Selection | undefined {
  const { providers, tried, balancer, now } = options;
  const fresh = tried.size === 0 ? providers : providers.filter((provider) => !tried.has(provider));
  const pool = fresh.length > 0 ? fresh : providers;
  const unblocked = kept(pool, (provider) => provider.notBefore <= now);
  const ready = balancer.pick(kept(unblocked, (provider) => provider.breaker.canAttempt()));
  if (ready !== undefined) return { provider: ready, waitMs: 0 };
  const soonestOf = (candidates: readonly Provider[], at: (provider: Provider) => number) =>
    candidates.reduce<Provider | undefined>(
      (best, provider) => (best === undefined || at(provider) < at(best) ? provider : best),
      undefined,
    );
  const probe = soonestOf(unblocked, (provider) => provider.breaker.readyAt());
  if (probe !== undefined) return { provider: probe, waitMs: 0 };
  // Only Retry-After and backoff make a request wait: once they pass, an open breaker no longer stops a try.
  const waiting = soonestOf(pool, (provider) => provider.notBefore);
  return waiting === undefined ? undefined : { provider: waiting, waitMs: waiting.notBefore - now };
}
