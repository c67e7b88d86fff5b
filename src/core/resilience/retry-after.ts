/** The longest wait a provider can impose through Retry-After: past it the value is likely a mistake. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The wait a `Retry-After` header asks for, in milliseconds from `now`: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable; 0 for a date in the past; capped at one hour.
 *
 * @example
 * retryAfterMs('2', Date.now());                             // 2000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()); // 0 (long past)
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Every HTTP-date form starts with a day name; Date.parse alone would take "1.5" or "-5" for dates.
    if (!/^[A-Za-z]{3}/.test(text)) return undefined;
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}
