import { retryAfterMs } from './counter-states.js';
import type { AcquireResult, CounterState } from './store.js';

/**
 * A wait as OpenAI writes it in `x-ratelimit-reset-*`: `20ms`, `8.64s`, `6m0s`, `1h2m3s`.
 *
 * @example
 * resetDuration(360_000); // '6m0s'
 */
export function resetDuration(ms: number): string {
  const wait = Math.max(0, Math.ceil(ms));
  if (wait < 1000) return `${wait}ms`;
  if (wait < 60_000) return `${Number((wait / 1000).toFixed(3))}s`;
  const hours = Math.floor(wait / 3_600_000);
  const minutes = Math.floor((wait % 3_600_000) / 60_000);
  const seconds = Number(((wait % 60_000) / 1000).toFixed(3));
  return `${hours > 0 ? `${hours}h` : ''}${minutes}m${seconds}s`;
}

/** Which counter of an acquire is the key's requests-per-minute and which its tokens-per-minute. */
export interface RateLimitCounters {
  readonly requests?: string;
  readonly tokens?: string;
}

/**
 * OpenAI's rate-limit headers from an acquire's answer: `x-ratelimit-limit-requests`, `-remaining-requests`,
 * `-reset-requests` and the three for tokens (for the counters named), and, when the call was refused and its
 * refusing counters reset, `retry-after` (whole seconds, rounded up) and `retry-after-ms` (OpenAI's SDKs read
 * both).
 *
 * @example
 * rateLimitHeaders(answer, Date.now(), { requests: 'rpm', tokens: 'tpm' });
 * // { 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': '42s', … }
 */
export function rateLimitHeaders(
  result: AcquireResult,
  now: number,
  counters: RateLimitCounters,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const add = (kind: 'requests' | 'tokens', state: CounterState | undefined) => {
    if (state === undefined) return;
    headers[`x-ratelimit-limit-${kind}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(state.remaining);
    if (state.resetAt !== null) headers[`x-ratelimit-reset-${kind}`] = resetDuration(state.resetAt - now);
  };
  add(
    'requests',
    result.counters.find((state) => state.id === counters.requests),
  );
  add(
    'tokens',
    result.counters.find((state) => state.id === counters.tokens),
  );
  const wait = retryAfterMs(result, now);
  if (wait !== undefined) {
    headers['retry-after'] = String(Math.ceil(wait / 1000));
    headers['retry-after-ms'] = String(wait);
  }
  return headers;
}
