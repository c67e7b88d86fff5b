import { describe, expect, it } from 'vitest';
import { createProviders } from '../providers/provider-pool.js';
import { fetchTransport } from '../providers/transport.js';
import { createHealthCheck } from './health.js';

const NOW = 1_700_000_000_000;

function setup() {
  const providers = createProviders({
    providers: ['a', 'b'].map((id) => ({
      id,
      baseUrl: `https://${id}.example`,
      token: undefined,
      weight: 1,
      models: undefined,
      aliases: undefined,
      continuation: undefined,
    })),
    transportFor: () => fetchTransport(async () => new Response('')),
    breaker: { failureThreshold: 1, cooldownMs: 60_000, maxCooldownMs: 60_000, now: () => NOW },
  });
  const health = createHealthCheck({ providers, uptimeSeconds: () => 1, demo: false, now: () => NOW });
  const report = () =>
    JSON.parse(new TextDecoder().decode(health().body as Uint8Array)) as Record<string, unknown>;
  return { providers, report };
}

describe('createHealthCheck', () => {
  it('is ok with every provider ready', () => {
    expect(setup().report()).toMatchObject({ status: 'ok', providersReady: 2, providersOpen: 0 });
    expect(setup().report().reason).toBeUndefined();
  });

  it('is degraded, saying why and for how long, while every provider is rate limited', () => {
    const { providers, report } = setup();
    for (const [index, provider] of providers.entries()) {
      provider.lastError = 'rate_limited';
      provider.notBefore = NOW + (index + 1) * 10_000;
    }
    expect(report()).toMatchObject({
      status: 'degraded',
      providersReady: 0,
      retryAfterSeconds: 10,
      reason: expect.stringContaining('rate limited'),
    });
    // One provider free again: the gateway takes requests.
    (providers[0] as (typeof providers)[number]).notBefore = NOW;
    expect(report()).toMatchObject({ status: 'ok', providersReady: 1 });
  });

  it('is degraded while a breaker is open, though the others take requests', () => {
    const { providers, report } = setup();
    const [a] = providers as [(typeof providers)[number]];
    a.breaker.onFailure(a.breaker.onAttempt());
    expect(report()).toMatchObject({ status: 'degraded', providersOpen: 1, providersReady: 1 });
    expect(String(report().reason)).toContain('circuit breaker open');
  });
});
