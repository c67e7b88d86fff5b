import type { Bucket } from './store.js';

/**
 * The fixed window of `windowMs` that holds `now`, aligned to multiples of `windowMs` since the epoch, so every
 * instance computes the same window from its own clock.
 *
 * @example
 * windowBucket(Date.parse('2026-01-01T00:00:42Z'), 60_000); // { start: …00:00:00Z, end: …00:01:00Z }
 */
export function windowBucket(now: number, windowMs: number): Bucket {
  const start = now - (now % windowMs);
  return { start, end: start + windowMs };
}

export type BudgetPeriod = 'day' | 'month' | 'total';

/**
 * The budget period that holds `now`: the UTC day, the UTC calendar month, or all time (never ends).
 *
 * @example
 * periodBucket(Date.parse('2026-02-14T10:00:00Z'), 'month'); // { start: 2026-02-01T00:00Z, end: 2026-03-01T00:00Z }
 */
export function periodBucket(now: number, period: BudgetPeriod): Bucket {
  if (period === 'total') return TOTAL;
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === 'month') return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
  const day = date.getUTCDate();
  return { start: Date.UTC(year, month, day), end: Date.UTC(year, month, day + 1) };
}

const TOTAL: Bucket = { start: 0, end: null };
