import type { Provider } from '../providers/provider-pool.js';
import { type AttemptFailure, failureClass } from './attempt-failure.js';
import type { BreakerTicket } from './circuit-breaker.js';

/** Counts an attempt starting. Returns the breaker's ticket for it (is it the probe?). */
export function beginAttempt(provider: Provider): BreakerTicket {
  provider.requests += 1;
  provider.inFlight += 1;
  return provider.breaker.onAttempt();
}

/** The provider answered usefully (a 4xx it meant counts: it is healthy): close its breaker, reset backoff. */
export function recordSuccess(provider: Provider): void {
  provider.breaker.onSuccess();
  provider.failureStreak = 0;
}

/**
 * The provider failed: keep it out until Retry-After says, or for a backoff growing with its failures in a
 * row, so no request comes back at once; count it toward its breaker (429s aside: Retry-After covers those).
 */
export function recordFailure(
  provider: Provider,
  failure: AttemptFailure,
  options: { now: number; backoff: (failures: number) => number; ticket: BreakerTicket },
): void {
  provider.errors += 1;
  provider.failureStreak += 1;
  provider.lastError = failureClass(failure);
  provider.notBefore = options.now + (failure.retryAfterMs ?? options.backoff(provider.failureStreak));
  if (failure.kind !== 'rate_limited' && failure.kind !== 'deadline')
    provider.breaker.onFailure(options.ticket);
}
