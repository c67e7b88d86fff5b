import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../errors/gateway-error.js';
import { type AttemptFailure, allAttemptsFailed, type FailureKind, failureClass } from './attempt-failure.js';

const fail = (provider: string, failure: AttemptFailure) => ({ provider, failure });

describe('failureClass', () => {
  it('names an http_5xx failure by its status', () => {
    expect(failureClass({ kind: 'http_5xx', status: 503 })).toBe('http_503');
    expect(failureClass({ kind: 'http_5xx', status: 500 })).toBe('http_500');
  });

  it('names every other failure by its kind', () => {
    const kinds: FailureKind[] = ['connect_error', 'headers_timeout', 'deadline', 'body_stalled'];
    for (const kind of kinds) expect(failureClass({ kind })).toBe(kind);
    expect(failureClass({ kind: 'auth_failed', status: 401 })).toBe('auth_failed');
    expect(failureClass({ kind: 'rate_limited', status: 429, retryAfterMs: 1_000 })).toBe('rate_limited');
  });
});

describe('allAttemptsFailed', () => {
  it('is a 429 rate_limit_exceeded with the soonest Retry-After when every provider is rate limited', () => {
    const error = allAttemptsFailed({
      failures: [
        fail('a', { kind: 'rate_limited', status: 429 }),
        fail('b', { kind: 'rate_limited', status: 429 }),
      ],
      attempts: 2,
      blocked: { provider: 'a', waitMs: 30_000 },
      rateLimited: { waitMs: 19_200 },
    });
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.headers).toEqual({ 'x-proxy-attempts': '2', 'retry-after': '20' });
    expect(error.message).toBe(
      'Every provider of this request is rate limited ("a", "b"): retry after 20 s.',
    );
  });

  it('is a 503 no_provider_available when nothing was tried', () => {
    const error = allAttemptsFailed({ failures: [], attempts: 0 });
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('no_provider_available');
    expect(error.type).toBe('api_error');
    expect(error.message).toBe('No provider is available.');
    expect(error.headers).toEqual({ 'x-proxy-attempts': '0' });
  });

  it('carries a Retry-After from the blocking provider, in whole seconds rounded up', () => {
    const error = allAttemptsFailed({ failures: [], attempts: 0, blocked: { provider: 'a', waitMs: 2_001 } });
    expect(error.status).toBe(503);
    expect(error.headers).toEqual({ 'x-proxy-attempts': '0', 'retry-after': '3' });
    expect(error.message).toContain('"a"');
    expect(error.message).toContain('3 s');
  });

  it.each([
    [0, '1'],
    [1, '1'],
    [999, '1'],
    [1_000, '1'],
    [1_001, '2'],
    [60_000, '60'],
  ])('makes Retry-After at least 1 s (waitMs %i -> %s)', (waitMs, header) => {
    const error = allAttemptsFailed({ failures: [], attempts: 0, blocked: { provider: 'a', waitMs } });
    expect(error.headers['retry-after']).toBe(header);
  });

  it('is a 504 upstream_timeout when every failure is a timeout', () => {
    const timeouts: FailureKind[] = ['headers_timeout', 'first_token_timeout', 'deadline', 'body_stalled'];
    for (const kind of timeouts) {
      const error = allAttemptsFailed({ failures: [fail('a', { kind })], attempts: 1 });
      expect(error.status).toBe(504);
      expect(error.code).toBe('upstream_timeout');
    }
    const mixed = allAttemptsFailed({
      failures: timeouts.map((kind, index) => fail(`p${index}`, { kind })),
      attempts: 4,
    });
    expect(mixed.status).toBe(504);
    expect(mixed.code).toBe('upstream_timeout');
  });

  it('is a 502 upstream_failed when a timeout mixes with another failure', () => {
    const error = allAttemptsFailed({
      failures: [fail('a', { kind: 'headers_timeout' }), fail('b', { kind: 'http_5xx', status: 500 })],
      attempts: 2,
    });
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_failed');
  });

  it('is a 502 upstream_unreachable when every failure is a connect error', () => {
    const error = allAttemptsFailed({
      failures: [fail('a', { kind: 'connect_error' }), fail('b', { kind: 'connect_error' })],
      attempts: 2,
    });
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_unreachable');
  });

  it('is a 502 upstream_auth_failed when every failure is an auth failure', () => {
    const error = allAttemptsFailed({
      failures: [
        fail('a', { kind: 'auth_failed', status: 401 }),
        fail('b', { kind: 'auth_failed', status: 403 }),
      ],
      attempts: 2,
    });
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_auth_failed');
  });

  it('is a 502 upstream_failed for mixed or other failures', () => {
    const mixed = allAttemptsFailed({
      failures: [fail('a', { kind: 'connect_error' }), fail('b', { kind: 'auth_failed', status: 401 })],
      attempts: 2,
    });
    expect(mixed.status).toBe(502);
    expect(mixed.code).toBe('upstream_failed');
    const kinds: FailureKind[] = ['http_5xx', 'rate_limited', 'body_failed', 'stream_ended_early'];
    for (const kind of kinds) {
      const error = allAttemptsFailed({ failures: [fail('a', { kind, status: 500 })], attempts: 1 });
      expect(error.status).toBe(502);
      expect(error.code).toBe('upstream_failed');
    }
  });

  it('names every provider and why it failed, with the HTTP status of a 5xx', () => {
    const error = allAttemptsFailed({
      failures: [
        fail('alpha', { kind: 'http_5xx', status: 503 }),
        fail('beta', { kind: 'connect_error' }),
        fail('gamma', { kind: 'auth_failed', status: 401 }),
      ],
      attempts: 3,
    });
    expect(error.message).toMatch(/^All 3 attempts failed: /);
    expect(error.message).toContain('"alpha" failed (HTTP 503)');
    expect(error.message).toContain('"beta" could not be reached');
    expect(error.message).toContain('"gamma" refused');
    expect(error.message).toContain('HTTP 401');
    expect(error.headers).toEqual({ 'x-proxy-attempts': '3' });
  });

  it('gives every failure kind a reason', () => {
    const kinds: FailureKind[] = [
      'connect_error',
      'headers_timeout',
      'first_token_timeout',
      'deadline',
      'auth_failed',
      'rate_limited',
      'http_5xx',
      'body_failed',
      'body_stalled',
      'stream_ended_early',
      'stream_interrupted',
    ];
    for (const kind of kinds) {
      const error = allAttemptsFailed({ failures: [fail('p', { kind, status: 500 })], attempts: 1 });
      expect(error.message).toMatch(/^The attempt failed: "p" \S.+\.$/);
      expect(error.message).not.toContain('undefined');
    }
  });

  it('names the same provider once per attempt', () => {
    const error = allAttemptsFailed({
      failures: [fail('a', { kind: 'connect_error' }), fail('a', { kind: 'headers_timeout' })],
      attempts: 2,
    });
    expect(error.message.match(/"a"/g)).toHaveLength(2);
  });

  it('adds why it did not retry, and a Retry-After, when a provider was blocked', () => {
    const error = allAttemptsFailed({
      failures: [fail('a', { kind: 'rate_limited', status: 429 })],
      attempts: 1,
      blocked: { provider: 'a', waitMs: 30_000 },
    });
    expect(error.status).toBe(502);
    expect(error.headers).toEqual({ 'x-proxy-attempts': '1', 'retry-after': '30' });
    expect(error.message).toMatch(/ No retry now: "a" asked to wait 30 s\.$/);
  });

  it('reports the attempts it is given in x-proxy-attempts', () => {
    const error = allAttemptsFailed({ failures: [fail('a', { kind: 'connect_error' })], attempts: 5 });
    expect(error.headers['x-proxy-attempts']).toBe('5');
  });
});
