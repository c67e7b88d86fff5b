import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer/create-balancer.js';
import { createProviders, type Provider } from '../providers/provider-pool.js';
import { fetchTransport } from '../providers/transport.js';
import { selectProvider } from './select-provider.js';

const START = 1_700_000_000_000;

function setup(ids: readonly string[] = ['a', 'b', 'c'], cooldownMs = 1_000) {
  const clock = { t: START };
  const providers = createProviders({
    providers: ids.map((id) => ({
      id,
      baseUrl: `https://${id}.example/v1`,
      token: undefined,
      weight: 1,
      models: undefined,
      aliases: undefined,
      continuation: undefined,
    })),
    transportFor: () => fetchTransport(async () => new Response('')),
    breaker: {
      failureThreshold: 2,
      cooldownMs,
      maxCooldownMs: Math.max(8_000, cooldownMs),
      now: () => clock.t,
    },
  });
  const balancer = createBalancer({ strategy: 'round-robin', random: Math.random });
  const byId = (id: string): Provider => {
    const provider = providers.find((candidate) => candidate.id === id);
    if (provider === undefined) throw new Error(`no provider ${id}`);
    return provider;
  };
  const openBreaker = (provider: Provider) => {
    provider.breaker.onFailure(provider.breaker.onAttempt());
    provider.breaker.onFailure(provider.breaker.onAttempt());
    expect(provider.breaker.snapshot().state).toBe('open');
  };
  const select = (tried: readonly Provider[] = []) =>
    selectProvider({ providers, tried: new Set(tried), balancer, now: clock.t });
  return { clock, providers, balancer, byId, openBreaker, select };
}

describe('selectProvider', () => {
  it('returns undefined for an empty provider list', () => {
    const { balancer } = setup();
    expect(selectProvider({ providers: [], tried: new Set(), balancer, now: START })).toBeUndefined();
  });

  it('picks a ready provider with no wait', () => {
    const { select, providers } = setup(['only']);
    expect(select()).toEqual({ provider: providers[0], waitMs: 0 });
  });

  it('prefers providers not yet tried', () => {
    const { select, byId } = setup();
    for (let i = 0; i < 4; i++) {
      expect(select([byId('a')])?.provider.id).not.toBe('a');
      expect(select([byId('a'), byId('b')])).toEqual({ provider: byId('c'), waitMs: 0 });
      expect(select([byId('c'), byId('b')])).toEqual({ provider: byId('a'), waitMs: 0 });
    }
  });

  it('once every provider was tried, any of them may be tried again', () => {
    const { select, providers } = setup();
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const selection = select(providers);
      expect(selection?.waitMs).toBe(0);
      if (selection !== undefined) seen.add(selection.provider.id);
    }
    expect(seen).toEqual(new Set(['a', 'b', 'c']));
  });

  it('skips providers whose notBefore is in the future', () => {
    const { select, byId, clock } = setup(['a', 'b']);
    byId('a').notBefore = clock.t + 1;
    for (let i = 0; i < 3; i++) expect(select()).toEqual({ provider: byId('b'), waitMs: 0 });
    byId('a').notBefore = clock.t; // Reached: ready again.
    expect(new Set([select()?.provider.id, select()?.provider.id])).toEqual(new Set(['a', 'b']));
  });

  it('skips providers whose breaker is open', () => {
    const { select, byId, openBreaker } = setup(['a', 'b']);
    openBreaker(byId('a'));
    for (let i = 0; i < 3; i++) expect(select()).toEqual({ provider: byId('b'), waitMs: 0 });
  });

  it('takes a half-open breaker with no probe out as ready', () => {
    const { select, byId, openBreaker, clock } = setup(['a']);
    openBreaker(byId('a'));
    clock.t += 1_000;
    expect(select()).toEqual({ provider: byId('a'), waitMs: 0 });
  });

  it('tries an untried provider through its open breaker before coming back to a tried one', () => {
    const { select, byId, openBreaker } = setup(['a', 'b']);
    openBreaker(byId('b'));
    // "b" is the only untried provider: it goes (breaker open or not) before the ready "a" comes round again.
    expect(select([byId('a')])).toEqual({ provider: byId('b'), waitMs: 0 });
  });

  it('when only open breakers remain, returns the one whose cooldown ends first, with no wait', () => {
    const { select, byId, openBreaker, clock } = setup(['a', 'b', 'c']);
    openBreaker(byId('b')); // Until START + 1_000.
    clock.t += 300;
    openBreaker(byId('c')); // Until START + 1_300.
    clock.t += 200;
    openBreaker(byId('a')); // Until START + 1_500.
    expect(select()).toEqual({ provider: byId('b'), waitMs: 0 });
    expect(select([byId('b')])).toEqual({ provider: byId('c'), waitMs: 0 });
  });

  it('prefers an open breaker it can try now over a provider blocked by notBefore', () => {
    const { select, byId, openBreaker, clock } = setup(['a', 'b']);
    byId('a').notBefore = clock.t + 100;
    openBreaker(byId('b'));
    expect(select()).toEqual({ provider: byId('b'), waitMs: 0 });
  });

  it('when notBefore blocks them all, returns the one free soonest with the wait it needs', () => {
    const { select, byId, clock } = setup(['a', 'b', 'c']);
    byId('a').notBefore = clock.t + 3_000;
    byId('b').notBefore = clock.t + 1_200;
    byId('c').notBefore = clock.t + 2_000;
    expect(select()).toEqual({ provider: byId('b'), waitMs: 1_200 });
    clock.t += 200;
    expect(select()).toEqual({ provider: byId('b'), waitMs: 1_000 });
  });

  it('ranks providers blocked by notBefore by notBefore alone: an open breaker does not push one back', () => {
    const { select, byId, openBreaker, clock } = setup(['a', 'b']);
    openBreaker(byId('a')); // Breaker open until START + 1_000.
    byId('a').notBefore = clock.t + 100;
    byId('b').notBefore = clock.t + 500;
    expect(select()).toEqual({ provider: byId('a'), waitMs: 100 });
  });

  it("waits for the soonest notBefore even when that provider's breaker stays open much longer", () => {
    const { select, byId, openBreaker, clock } = setup(['a', 'b'], 60_000);
    openBreaker(byId('a')); // Breaker open until START + 60_000.
    byId('a').notBefore = clock.t + 1_000;
    byId('b').notBefore = clock.t + 5_000;
    expect(byId('a').breaker.readyAt()).toBe(clock.t + 60_000);
    expect(select()).toEqual({ provider: byId('a'), waitMs: 1_000 });
  });

  it('waits only among untried providers while some remain', () => {
    const { select, byId, clock } = setup(['a', 'b']);
    byId('b').notBefore = clock.t + 700;
    expect(select([byId('a')])).toEqual({ provider: byId('b'), waitMs: 700 });
  });
});
