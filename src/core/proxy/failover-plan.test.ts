import { describe, expect, it } from 'vitest';
import { createProviders } from '../providers/provider-pool.js';
import { fetchTransport } from '../providers/transport.js';
import { failoverPlan, movesOn, readyNow } from './failover-plan.js';

const NOW = 1_700_000_000_000;

function providers(ids: string[]) {
  return createProviders({
    providers: ids.map((id) => ({
      id,
      baseUrl: `https://${id}.example`,
      token: undefined,
      weight: 1,
      models: undefined,
      aliases: undefined,
      continuation: undefined,
    })),
    transportFor: () => fetchTransport(async () => new Response('')),
    breaker: { failureThreshold: 1, cooldownMs: 1_000, maxCooldownMs: 1_000, now: () => NOW },
  });
}

describe('failoverPlan', () => {
  it('knows whether a later model has a provider, and whether one is ready now', () => {
    const [a, b] = providers(['a', 'b']) as [
      ReturnType<typeof providers>[number],
      ReturnType<typeof providers>[number],
    ];
    const plan = failoverPlan([[a], [], [b]]);
    expect(plan.hasLater(0)).toBe(true);
    expect(plan.hasLater(2)).toBe(false);
    expect(plan.laterReady(0, NOW)).toBe(true);
    b.notBefore = NOW + 500;
    expect(readyNow(b, NOW)).toBe(false);
    expect(plan.laterReady(0, NOW)).toBe(false);
    b.notBefore = 0;
    b.breaker.onFailure(b.breaker.onAttempt());
    expect(plan.laterReady(0, NOW)).toBe(false);
  });

  it('is all rate limited only when every provider is inside a 429 Retry-After; the soonest frees up first', () => {
    const [a, b] = providers(['a', 'b']) as [
      ReturnType<typeof providers>[number],
      ReturnType<typeof providers>[number],
    ];
    const plan = failoverPlan([[a], [b]]);
    expect(plan.allRateLimited(NOW)).toBe(false);
    a.lastError = 'rate_limited';
    a.notBefore = NOW + 30_000;
    expect(plan.allRateLimited(NOW)).toBe(false);
    b.lastError = 'http_503';
    b.notBefore = NOW + 20_000;
    expect(plan.allRateLimited(NOW)).toBe(false);
    b.lastError = 'rate_limited';
    expect(plan.allRateLimited(NOW)).toBe(true);
    expect(plan.soonestFree(NOW)).toBe(20_000);
    expect(failoverPlan([[]]).allRateLimited(NOW)).toBe(false);
  });
});

describe('movesOn', () => {
  it.each([
    ['headers_timeout', true],
    ['first_token_timeout', true],
    ['body_stalled', true],
    ['body_failed', true],
    ['http_5xx', false],
    ['connect_error', false],
    ['rate_limited', false],
  ])('%s -> %s', (kind, expected) => {
    expect(movesOn(kind)).toBe(expected);
  });
});
