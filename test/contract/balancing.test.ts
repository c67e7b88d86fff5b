import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { auth, CLIENT_KEY, TOKENS, targets } from './helpers.js';
import type { StartTarget } from './targets.js';

type Stats = {
  strategy: string;
  uptimeSeconds: number;
  providers: {
    id: string;
    baseUrl: string;
    weight: number;
    requests: number;
    errors: number;
    inFlight: number;
    meanLatencyMs: number | null;
  }[];
};

describe.each(targets)('load balancing over real providers (%s)', (_name, startTarget) => {
  let a: FakeUpstream;
  let b: FakeUpstream;

  beforeAll(async () => {
    a = await startFakeUpstream();
    b = await startFakeUpstream();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  /** Sends `count` requests one after another and returns the provider that served each. */
  async function spread(options: { strategy: string; weights: [number, number]; count: number }) {
    const env = {
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: a.url, token: TOKENS.a, weight: options.weights[0] },
        { id: 'b', baseUrl: b.url, token: TOKENS.b, weight: options.weights[1] },
      ]),
      LOAD_BALANCER_STRATEGY: options.strategy,
      PROXY_API_KEYS: CLIENT_KEY,
    };
    const gateway = await (startTarget as StartTarget)(env);
    try {
      const served: string[] = [];
      for (let i = 0; i < options.count; i++) {
        const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        served.push(response.headers.get('x-proxy-provider') ?? '?');
      }
      const stats = (await (await fetch(`${gateway.url}/stats`, { headers: auth() })).json()) as Stats;
      return { served, stats };
    } finally {
      await gateway.close();
    }
  }

  it('round-robin with weights 3:1 interleaves A A B A, and each provider gets its own token', async () => {
    const aBefore = a.requests.length;
    const { served, stats } = await spread({ strategy: 'round-robin', weights: [3, 1], count: 8 });
    expect(served.join(' ')).toBe('a a b a a a b a');
    expect(stats.strategy).toBe('round-robin');
    expect(stats.providers.map((p) => [p.id, p.weight, p.requests, p.errors, p.inFlight])).toEqual([
      ['a', 3, 6, 0, 0],
      ['b', 1, 2, 0, 0],
    ]);
    expect(
      a.requests.slice(aBefore).every((request) => request.headers.authorization === `Bearer ${TOKENS.a}`),
    ).toBe(true);
    expect(b.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKENS.b}`);
  });

  it('accepts the seed spelling ROUND_ROBIN, and equal weights alternate', async () => {
    const { served, stats } = await spread({ strategy: 'ROUND_ROBIN', weights: [1, 1], count: 6 });
    expect(served.join(' ')).toBe('a b a b a b');
    expect(stats.strategy).toBe('round-robin');
  });

  it('random follows the weights (3:1 over 400 requests)', async () => {
    const { served, stats } = await spread({ strategy: 'RANDOM', weights: [3, 1], count: 400 });
    const toA = served.filter((id) => id === 'a').length;
    // Expected 300, standard deviation ~8.7: ±50 is over 5 deviations.
    expect(toA).toBeGreaterThan(250);
    expect(toA).toBeLessThan(350);
    expect(stats.strategy).toBe('random');
  });

  it('least-used sends each request to the provider with the fewest requests for its weight', async () => {
    const { served, stats } = await spread({ strategy: 'least-used', weights: [2, 1], count: 9 });
    expect(served.filter((id) => id === 'a')).toHaveLength(6);
    expect(served.filter((id) => id === 'b')).toHaveLength(3);
    expect(served.slice(0, 3).sort()).toEqual(['a', 'a', 'b']);
    expect(stats.strategy).toBe('least-used');
  });
});
