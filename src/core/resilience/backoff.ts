import type { Random } from '../balancer/strategy.js';

export interface BackoffOptions {
  /** Delay after the first failure, before jitter. */
  baseMs: number;
  /** The longest delay. */
  maxMs: number;
  random: Random;
}

/**
 * Exponential backoff with "equal jitter": after the n-th consecutive failure, a delay between half and all of
 * `baseMs * 2^(n-1)` (capped), so retries spread out yet never come back at once.
 *
 * @example
 * const delay = createBackoff({ baseMs: 200, maxMs: 10_000, random: Math.random });
 * delay(1); // 100..200
 * delay(3); // 400..800
 */
export function createBackoff(options: BackoffOptions): (failures: number) => number {
  const { baseMs, maxMs, random } = options;
  return function backoffDelay(failures) {
    const ceiling = Math.min(baseMs * 2 ** Math.max(0, failures - 1), maxMs);
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };
}
