import { describe, expect, it } from 'vitest';
import { createProviders } from '../providers/provider-pool.js';
import { fetchTransport } from '../providers/transport.js';
import { createModelsList } from './models-list.js';

interface Entry {
  id: string;
  models?: string[];
  aliases?: Record<string, string>;
  reports?: string[];
}

/** Providers whose own `/v1/models` answers `reports` (a 404 without it); the paths they were asked. */
function listing(entries: Entry[]) {
  const asked: string[] = [];
  const providers = createProviders({
    providers: entries.map(({ id, models, aliases }) => ({
      id,
      baseUrl: `https://${id}.example/v1`,
      token: undefined,
      weight: 1,
      models,
      aliases,
    })),
    transportFor: (config) =>
      fetchTransport(async (url) => {
        asked.push(url);
        const reports = entries.find((entry) => entry.id === config.id)?.reports;
        return reports === undefined
          ? new Response('{}', { status: 404 })
          : Response.json({ object: 'list', data: reports.map((id) => ({ id, object: 'model' })) });
      }),
    breaker: { failureThreshold: 3, cooldownMs: 1000, maxCooldownMs: 1000, now: Date.now },
  });
  const list = createModelsList({
    providers,
    now: Date.now,
    cacheMs: 60_000,
    timeoutMs: 1000,
    maxBytes: 1 << 20,
  });
  return { asked, ids: async () => (await list()).data.map((model) => [model.id, model.owned_by]) };
}

describe('models list', () => {
  it('lists the models a provider reports that its globs match, besides its exact names', async () => {
    const { ids } = listing([
      {
        id: 'fireworks',
        models: ['accounts/fireworks/models/llama-*', 'exact-one'],
        reports: ['accounts/fireworks/models/llama-v3', 'accounts/fireworks/models/qwen', 'other'],
      },
    ]);
    expect(await ids()).toEqual([
      ['exact-one', 'fireworks'],
      ['accounts/fireworks/models/llama-v3', 'fireworks'],
    ]);
  });

  it('does not ask a provider whose list has no glob', async () => {
    const { ids, asked } = listing([{ id: 'a', models: ['m1'], reports: ['m2'] }]);
    expect(await ids()).toEqual([['m1', 'a']]);
    expect(asked).toEqual([]);
  });

  it('lists every alias of every provider, each id once', async () => {
    const { ids } = listing([
      { id: 'a', models: ['m1'], aliases: { fast: 'm1', small: 'm1' } },
      { id: 'b', models: [], aliases: { fast: 'b-fast', big: 'b-big' } },
      { id: 'c', aliases: { huge: 'c-huge' }, reports: ['c-own'] },
    ]);
    expect(await ids()).toEqual([
      ['fast', 'a'],
      ['small', 'a'],
      ['m1', 'a'],
      ['big', 'b'],
      ['huge', 'c'],
      ['c-own', 'c'],
    ]);
  });

  it('leaves out a glob provider whose own list fails', async () => {
    const { ids } = listing([{ id: 'a', models: ['x-*', 'x-named'] }]);
    expect(await ids()).toEqual([['x-named', 'a']]);
  });
});
