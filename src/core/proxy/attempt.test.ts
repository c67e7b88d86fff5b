import { describe, expect, it } from 'vitest';
import { createProviders } from '../providers/provider-pool.js';
import { fetchTransport, type UpstreamFetch } from '../providers/transport.js';
import { createRequestBudget } from '../resilience/request-budget.js';
import { attemptUpstream } from './attempt.js';

/** One provider whose answers the test scripts, with a clock the test moves by hand. */
function setup(answer: UpstreamFetch) {
  let time = 1_000_000;
  const now = () => time;
  const [provider] = createProviders({
    providers: [
      {
        id: 'a',
        baseUrl: 'https://a.example',
        token: undefined,
        weight: 1,
        models: undefined,
        aliases: undefined,
        continuation: undefined,
      },
    ],
    transportFor: () => fetchTransport(answer),
    breaker: { failureThreshold: 1, cooldownMs: 1000, maxCooldownMs: 8000, now },
  });
  if (provider === undefined) throw new Error('no provider');
  const attempt = () => {
    const budget = createRequestBudget({
      deadline: time + 60_000,
      now,
      clientSignal: new AbortController().signal,
    });
    return attemptUpstream({
      provider,
      url: 'https://a.example/v1/models',
      method: 'GET',
      headers: new Headers(),
      body: undefined,
      budget,
      now,
      backoff: () => 0,
      headersTimeoutMs: 1000,
      firstTokenTimeoutMs: 1000,
      idleTimeoutMs: 1000,
      maxFirstEventBytes: 1 << 20,
      maxHeldBytes: 8 << 20,
      maxDecodedBytes: 64 << 20,
      expectDone: false,
      onBodyEnd: () => {},
    }).finally(() => budget.dispose());
  };
  return { provider, attempt, advance: (ms: number) => (time += ms) };
}

const status =
  (code: number, headers: Record<string, string> = {}): UpstreamFetch =>
  async () =>
    new Response('{}', { status: code, headers: { 'content-type': 'application/json', ...headers } });

describe('attemptUpstream and the breaker probe slot', () => {
  it('frees the slot when a probe sent through a still-open breaker fails', async () => {
    const { provider, attempt, advance } = setup(status(503));
    await attempt(); // opens the breaker (threshold 1)
    expect(provider.breaker.snapshot().state).toBe('open');
    await attempt(); // tried anyway while open (nothing else to try): fails, breaker stays open
    advance(1000);
    expect(provider.breaker.snapshot().state).toBe('half-open');
    expect(provider.breaker.canAttempt()).toBe(true);
  });

  it('frees the slot when the half-open probe is rate limited', async () => {
    let answer = status(503);
    const { provider, attempt, advance } = setup((url, init) => answer(url, init));
    await attempt();
    advance(1000);
    answer = status(429);
    const result = await attempt();
    expect(result.ok).toBe(false);
    expect(provider.breaker.snapshot().state).toBe('half-open');
    expect(provider.breaker.canAttempt()).toBe(true);
  });

  it('closes the breaker when the probe succeeds, and counts the attempt', async () => {
    let answer = status(503);
    const { provider, attempt, advance } = setup((url, init) => answer(url, init));
    await attempt();
    advance(1000);
    answer = status(200);
    const result = await attempt();
    expect(result.ok).toBe(true);
    expect(provider.breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect([provider.requests, provider.errors, provider.inFlight]).toEqual([2, 1, 0]);
  });
});
