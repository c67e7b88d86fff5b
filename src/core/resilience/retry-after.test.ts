import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after.js';

const NOW = Date.parse('2030-06-15T12:00:00.000Z');
const HOUR = 3_600_000;

describe('retryAfterMs', () => {
  it('returns undefined for an absent header', () => {
    expect(retryAfterMs(null, NOW)).toBeUndefined();
  });

  it('reads delta-seconds', () => {
    expect(retryAfterMs('2', NOW)).toBe(2_000);
    expect(retryAfterMs('0', NOW)).toBe(0);
    expect(retryAfterMs('120', NOW)).toBe(120_000);
  });

  it('ignores surrounding whitespace', () => {
    expect(retryAfterMs('  7 ', NOW)).toBe(7_000);
    expect(retryAfterMs('\t3\t', NOW)).toBe(3_000);
  });

  it('reads an HTTP date in the future as the time until it', () => {
    expect(retryAfterMs(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(retryAfterMs('Sat, 15 Jun 2030 12:00:45 GMT', NOW)).toBe(45_000);
  });

  it('returns 0 for an HTTP date in the past or right now', () => {
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs(new Date(NOW).toUTCString(), NOW)).toBe(0);
  });

  it('caps seconds and dates at one hour', () => {
    expect(retryAfterMs('3600', NOW)).toBe(HOUR);
    expect(retryAfterMs('3601', NOW)).toBe(HOUR);
    expect(retryAfterMs('99999999999999999999', NOW)).toBe(HOUR);
    expect(retryAfterMs(new Date(NOW + 2 * HOUR).toUTCString(), NOW)).toBe(HOUR);
  });

  it.each(['', '   ', 'soon', 'abc', '5s', '10 seconds', '1e3', '0x10'])(
    'returns undefined for garbage %j',
    (value) => {
      expect(retryAfterMs(value, NOW)).toBeUndefined();
    },
  );

  // RFC 9110: delta-seconds is 1*DIGIT. These are neither delta-seconds nor an HTTP date, yet V8's lenient
  // Date.parse reads them as dates in 2001 ("1.5" -> 2001-01-05), so they come back as 0 ms: "retry now".
  it.each(['-5', '1.5', '1 2', '+5'])('returns undefined for the non-RFC value %j', (value) => {
    expect(retryAfterMs(value, NOW)).toBeUndefined();
  });
});
