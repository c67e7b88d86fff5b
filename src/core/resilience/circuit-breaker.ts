export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** The first cooldown; each reopening doubles it. */
  cooldownMs: number;
  /** The longest cooldown. */
  maxCooldownMs: number;
  now: () => number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** When an open breaker lets a probe through (epoch ms), or null when closed. */
  openUntil: number | null;
}

/** One attempt as the breaker sees it: whether it is the probe, and how to give the probe slot back. */
export interface BreakerTicket {
  readonly probe: boolean;
  /** Frees the probe slot when the attempt ends neither way (the client left). No effect otherwise. */
  release(): void;
}

export interface CircuitBreaker {
  /** Whether a normal attempt may go to this provider now (closed, or half-open with no probe out). */
  canAttempt(): boolean;
  /** Records an attempt starting; when the breaker is not closed, that attempt is the probe. */
  onAttempt(): BreakerTicket;
  onSuccess(): void;
  onFailure(ticket: BreakerTicket): void;
  /** When a normal attempt will next be allowed (now, when it already is). */
  readyAt(): number;
  snapshot(): BreakerSnapshot;
}

/** The ticket of every attempt through a closed breaker: nothing to release, so one is shared. */
const NOT_A_PROBE: BreakerTicket = Object.freeze({ probe: false, release: () => {} });

/**
 * A circuit breaker for one provider: `failureThreshold` consecutive failures open it for a cooldown that
 * doubles on each reopening up to `maxCooldownMs`. After the cooldown it is half-open: one probe goes
 * through; its success closes the breaker (and resets the cooldown), its failure reopens it.
 *
 * @example
 * const breaker = createCircuitBreaker({ failureThreshold: 3, cooldownMs: 5_000, maxCooldownMs: 60_000, now: Date.now });
 * if (breaker.canAttempt()) { const ticket = breaker.onAttempt(); ... breaker.onFailure(ticket); }
 */
export function createCircuitBreaker(options: BreakerOptions): CircuitBreaker {
  const { failureThreshold, cooldownMs, maxCooldownMs, now } = options;
  let consecutiveFailures = 0;
  let openings = 0;
  let openUntil: number | null = null;
  /** The ticket of the probe out now, if any. */
  let probe: BreakerTicket | undefined;

  const state = (): BreakerState => {
    if (openUntil === null) return 'closed';
    return now() < openUntil ? 'open' : 'half-open';
  };
  const open = () => {
    openings += 1;
    openUntil = now() + Math.min(cooldownMs * 2 ** (openings - 1), maxCooldownMs);
    probe = undefined;
  };

  return {
    canAttempt() {
      const current = state();
      return current === 'closed' || (current === 'half-open' && probe === undefined);
    },
    onAttempt() {
      if (state() === 'closed') return NOT_A_PROBE;
      const ticket: BreakerTicket = {
        probe: true,
        release: () => {
          if (probe === ticket) probe = undefined;
        },
      };
      probe = ticket;
      return ticket;
    },
    onSuccess() {
      consecutiveFailures = 0;
      openings = 0;
      openUntil = null;
      probe = undefined;
    },
    onFailure(ticket) {
      consecutiveFailures += 1;
      const current = state();
      // Only the probe's own failure reopens a half-open breaker, and an open one stays as it is: failures of
      // attempts begun earlier (stragglers) must not extend the cooldown or take the probe's place.
      if (
        (current === 'half-open' && ticket.probe && probe === ticket) ||
        (current === 'closed' && consecutiveFailures >= failureThreshold)
      ) {
        open();
      }
    },
    readyAt() {
      return state() === 'open' && openUntil !== null ? openUntil : now();
    },
    snapshot() {
      return { state: state(), consecutiveFailures, openUntil };
    },
  };
}
