import { describe, expect, it } from 'vitest';
import { periodBucket, windowBucket } from './buckets.js';
import { acquireResult } from './counter-states.js';
import { rateLimitHeaders, resetDuration } from './rate-limit-headers.js';

const NOW = Date.parse('2026-03-10T12:00:18Z');

describe('resetDuration', () => {
  it.each([
    [0, '0ms'],
    [20, '20ms'],
    [999.2, '1s'],
    [8_640, '8.64s'],
    [42_000, '42s'],
    [360_000, '6m0s'],
    [90_500, '1m30.5s'],
    [3_723_000, '1h2m3s'],
    [-5, '0ms'],
  ])('%d ms -> %s', (ms, text) => {
    expect(resetDuration(ms)).toBe(text);
  });
});

describe('rateLimitHeaders', () => {
  const minute = windowBucket(NOW, 60_000);
  const checks = (tokens: number) => ({
    scope: 'alice',
    counters: [
      { id: 'rpm', bucket: minute, limit: 10, cost: 1 },
      { id: 'tpm', bucket: minute, limit: 1000, cost: tokens },
      { id: 'tokens/total', bucket: periodBucket(NOW, 'total'), limit: 5000, cost: tokens },
    ],
  });

  it('gives OpenAI’s six headers for an allowed call, and no Retry-After', () => {
    const answer = acquireResult(checks(300), [6, 200, 0]);
    expect(rateLimitHeaders(answer, NOW, { requests: 'rpm', tokens: 'tpm' })).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '3',
      'x-ratelimit-reset-requests': '42s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '500',
      'x-ratelimit-reset-tokens': '42s',
    });
  });

  it('adds Retry-After (seconds, rounded up) and retry-after-ms for a refused call', () => {
    const answer = acquireResult(checks(900), [6, 200, 0]);
    expect(rateLimitHeaders(answer, NOW + 500, { requests: 'rpm', tokens: 'tpm' })).toMatchObject({
      'x-ratelimit-remaining-requests': '4',
      'x-ratelimit-remaining-tokens': '800',
      'x-ratelimit-reset-tokens': '41.5s',
      'retry-after': '42',
      'retry-after-ms': '41500',
    });
  });

  it('gives no Retry-After when a spent total budget refused the call (it never resets)', () => {
    const answer = acquireResult(checks(100), [0, 0, 5000]);
    const headers = rateLimitHeaders(answer, NOW, { requests: 'rpm' });
    expect(headers['retry-after']).toBeUndefined();
    expect(headers['x-ratelimit-limit-tokens']).toBeUndefined();
    expect(headers['x-ratelimit-remaining-requests']).toBe('10');
  });
});
