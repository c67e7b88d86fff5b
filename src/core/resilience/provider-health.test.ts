import { describe, expect, it } from 'vitest';
import { createProviders, type Provider } from '../providers/provider-pool.js';
import { fetchTransport } from '../providers/transport.js';
import type { AttemptFailure, FailureKind } from './attempt-failure.js';
import type { BreakerTicket } from './circuit-breaker.js';
import { beginAttempt, recordFailure, recordSuccess } from './provider-health.js';

const NOW = 1_700_000_000_000;

function setup(failureThreshold = 2) {
  const clock = { t: NOW };
  const [provider] = createProviders({
    providers: [
      {
        id: 'a',
        baseUrl: 'https://a.example/v1',
        token: 'sk-test',
        weight: 1,
        models: undefined,
        aliases: undefined,
        continuation: undefined,
      },
    ],
    transportFor: () => fetchTransport(async () => new Response('')),
    breaker: { failureThreshold, cooldownMs: 1_000, maxCooldownMs: 8_000, now: () => clock.t },
  });
  if (provider === undefined) throw new Error('no provider');
  const streaks: number[] = [];
  const backoff = (failures: number) => {
    streaks.push(failures);
    return failures * 100;
  };
  /** Records a failure of `ticket`'s attempt; by default one that starts now (counters left alone). */
  const failWith = (
    target: Provider,
    failure: AttemptFailure,
    ticket: BreakerTicket = target.breaker.onAttempt(),
  ) => recordFailure(target, failure, { now: clock.t, backoff, ticket });
  return { clock, provider, streaks, backoff, failWith };
}

describe('beginAttempt', () => {
  it('counts the request and the attempt in flight', () => {
    const { provider } = setup();
    beginAttempt(provider);
    beginAttempt(provider);
    expect(provider.requests).toBe(2);
    expect(provider.inFlight).toBe(2);
  });

  it('returns a ticket that is not the probe while the breaker is closed', () => {
    const { provider } = setup();
    const ticket = beginAttempt(provider);
    expect(ticket.probe).toBe(false);
    ticket.release();
    expect(provider.breaker.canAttempt()).toBe(true);
  });

  it("marks the half-open breaker's probe and returns its ticket, whose release frees the slot", () => {
    const { clock, provider, failWith } = setup();
    failWith(provider, { kind: 'connect_error' });
    failWith(provider, { kind: 'connect_error' });
    clock.t += 1_000;
    expect(provider.breaker.canAttempt()).toBe(true);
    const ticket = beginAttempt(provider);
    expect(ticket.probe).toBe(true);
    expect(provider.breaker.canAttempt()).toBe(false);
    ticket.release();
    expect(provider.breaker.canAttempt()).toBe(true);
  });
});

describe('recordFailure', () => {
  it('counts the error and the streak, and names the last error by class', () => {
    const { provider, failWith } = setup();
    failWith(provider, { kind: 'http_5xx', status: 503 });
    expect(provider.errors).toBe(1);
    expect(provider.failureStreak).toBe(1);
    expect(provider.lastError).toBe('http_503');
    failWith(provider, { kind: 'connect_error' });
    expect(provider.errors).toBe(2);
    expect(provider.failureStreak).toBe(2);
    expect(provider.lastError).toBe('connect_error');
  });

  it('keeps the provider out for a backoff growing with the streak', () => {
    const { provider, failWith, streaks, clock } = setup(10);
    failWith(provider, { kind: 'connect_error' });
    expect(provider.notBefore).toBe(clock.t + 100);
    clock.t += 5_000;
    failWith(provider, { kind: 'headers_timeout' });
    expect(provider.notBefore).toBe(clock.t + 200);
    failWith(provider, { kind: 'body_failed' });
    expect(provider.notBefore).toBe(clock.t + 300);
    expect(streaks).toEqual([1, 2, 3]);
  });

  it('keeps the provider out for the Retry-After instead, when one was given', () => {
    const { provider, failWith, streaks, clock } = setup();
    failWith(provider, { kind: 'rate_limited', status: 429, retryAfterMs: 7_000 });
    expect(provider.notBefore).toBe(clock.t + 7_000);
    expect(streaks).toEqual([]);
    expect(provider.failureStreak).toBe(1);
  });

  it('honours a Retry-After of 0', () => {
    const { provider, failWith, clock } = setup();
    failWith(provider, { kind: 'http_5xx', status: 503, retryAfterMs: 0 });
    expect(provider.notBefore).toBe(clock.t);
  });

  it('counts failures toward the breaker', () => {
    const { provider, failWith } = setup(2);
    failWith(provider, { kind: 'http_5xx', status: 500 });
    expect(provider.breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
    failWith(provider, { kind: 'connect_error' });
    expect(provider.breaker.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 2 });
  });

  it.each<FailureKind>(['rate_limited', 'deadline'])('does not count %s toward the breaker', (kind) => {
    const { provider, failWith } = setup(1);
    failWith(provider, { kind, status: 429 });
    failWith(provider, { kind, status: 429 });
    expect(provider.breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, openUntil: null });
    expect(provider.failureStreak).toBe(2);
    expect(provider.errors).toBe(2);
  });

  it("passes the ticket to the breaker: a straggler's failure while half-open does not reopen it", () => {
    const { clock, provider, failWith } = setup(2);
    const straggler = beginAttempt(provider);
    failWith(provider, { kind: 'connect_error' });
    failWith(provider, { kind: 'connect_error' });
    const openUntil = clock.t + 1_000;
    clock.t = openUntil;
    const probe = beginAttempt(provider);
    failWith(provider, { kind: 'http_5xx', status: 502 }, straggler);
    expect(provider.breaker.snapshot()).toEqual({ state: 'half-open', consecutiveFailures: 3, openUntil });
    expect(provider.failureStreak).toBe(3);
    failWith(provider, { kind: 'connect_error' }, probe);
    expect(provider.breaker.snapshot()).toEqual({
      state: 'open',
      consecutiveFailures: 4,
      openUntil: clock.t + 2_000,
    });
  });

  it('leaves requests and inFlight alone', () => {
    const { provider, failWith } = setup();
    beginAttempt(provider);
    failWith(provider, { kind: 'connect_error' });
    expect(provider.requests).toBe(1);
    expect(provider.inFlight).toBe(1);
  });
});

describe('recordSuccess', () => {
  it('resets the streak and closes the breaker', () => {
    const { provider, failWith } = setup(2);
    failWith(provider, { kind: 'connect_error' });
    failWith(provider, { kind: 'connect_error' });
    expect(provider.breaker.snapshot().state).toBe('open');
    recordSuccess(provider);
    expect(provider.failureStreak).toBe(0);
    expect(provider.breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, openUntil: null });
    expect(provider.breaker.canAttempt()).toBe(true);
  });

  it('starts the backoff over from the first step', () => {
    const { provider, failWith, streaks } = setup(10);
    failWith(provider, { kind: 'connect_error' });
    failWith(provider, { kind: 'connect_error' });
    recordSuccess(provider);
    failWith(provider, { kind: 'connect_error' });
    expect(streaks).toEqual([1, 2, 1]);
  });

  it('keeps the error count and the last error for /stats', () => {
    const { provider, failWith } = setup();
    failWith(provider, { kind: 'http_5xx', status: 502 });
    recordSuccess(provider);
    expect(provider.errors).toBe(1);
    expect(provider.lastError).toBe('http_502');
  });
});
