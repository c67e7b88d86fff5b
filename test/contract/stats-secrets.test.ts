import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, replyJson, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { assertNoSecrets, auth, CLIENT_KEY, responseText, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

describe.each(targets)('/stats and secrets (%s)', (name, startTarget) => {
  let ok: FakeUpstream;
  let failing: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    ok = await startFakeUpstream();
    failing = await startFakeUpstream((_request, res) =>
      replyJson(res, 500, { error: { message: 'server error' } }),
    );
    gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: ok.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'failing', baseUrl: `${failing.url}/base/`, token: TOKENS.b, weight: 1 },
      ]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await ok.close();
    await failing.close();
  });

  it('reports strategy, uptime and per provider id, base URL, weight, requests, errors, in-flight and latency', async () => {
    for (let i = 0; i < 4; i++)
      await (await fetch(`${gateway.url}/v1/models`, { headers: auth() })).arrayBuffer();
    const stats = (await (await fetch(`${gateway.url}/stats`, { headers: auth() })).json()) as Record<
      string,
      unknown
    >;
    expect(stats).toMatchObject({ strategy: 'round-robin', runtime: name });
    expect(typeof stats.uptimeSeconds).toBe('number');
    type ProviderStats = { id: string; requests: number; errors: number } & Record<string, unknown>;
    const [healthy, failingStats] = stats.providers as [ProviderStats, ProviderStats];
    const shape = {
      weight: 1,
      inFlight: 0,
      meanLatencyMs: expect.any(Number),
      breaker: 'closed',
      cooldownUntil: null,
    };
    expect(healthy).toMatchObject({ ...shape, id: 'default', baseUrl: ok.url, errors: 0, lastError: null });
    expect(failingStats).toMatchObject({
      ...shape,
      id: 'failing',
      baseUrl: `${failing.url}/base`,
      lastError: 'http_500',
    });
    // Every attempt on the failing provider failed and was answered by the healthy one instead.
    expect(failingStats.requests).toBeGreaterThanOrEqual(1);
    expect(failingStats.errors).toBe(failingStats.requests);
    expect(healthy.requests).toBe(4);
    expect(Object.keys(failingStats).sort()).toEqual(
      [
        'id',
        'baseUrl',
        'weight',
        'requests',
        'errors',
        'inFlight',
        'meanLatencyMs',
        'breaker',
        'consecutiveFailures',
        'cooldownUntil',
        'retryAfterUntil',
        'lastError',
        'continued',
      ].sort(),
    );
  });

  it('never shows a provider token or client key in any response or log line', async () => {
    const secrets = [...Object.values(TOKENS), CLIENT_KEY];
    const requests: [string, RequestInit][] = [
      ['/health', {}],
      ['/stats', { headers: auth() }],
      ['/stats', {}],
      ['/v1/models', { headers: auth() }],
      ['/v1/models', { headers: auth() }],
      ['/v1/chat/completions', { method: 'POST', headers: auth(), body: '{"stream":true}' }],
      ['/v1/models', { headers: { authorization: `Bearer ${TOKENS.a}` } }],
      ['/v1/files/..%2fx', { headers: auth() }],
      ['/nowhere', { headers: auth() }],
      ['/v1/models', { method: 'OPTIONS', headers: { origin: 'https://x.example' } }],
    ];
    let seen = '';
    for (const [path, init] of requests)
      seen += await responseText(await fetch(`${gateway.url}${path}`, init));
    expect(seen).toContain('"status":"ok"');
    expect(seen).toContain('"providers"');
    assertNoSecrets(seen, secrets);
    assertNoSecrets(JSON.stringify(gateway.logs), secrets);
    expect(gateway.logs.filter((line) => line.msg === 'request').length).toBeGreaterThanOrEqual(
      requests.length,
    );
  });

  it('writes one JSON log line per request with id, method, path, status, provider and duration', async () => {
    const response = await fetch(`${gateway.url}/v1/models?secret=query`, { headers: auth() });
    await response.arrayBuffer();
    const id = response.headers.get('x-request-id');
    // Round-robin may give this request to the failing provider first (whose turn it is depends on the
    // breaker's cooldown, so on timing): the log must count what the response header counts.
    const attempts = Number(response.headers.get('x-proxy-attempts'));
    expect(attempts).toBeGreaterThanOrEqual(1);
    // The Worker's log lines arrive through workerd's stdout: wait for it (up to 2 s), not a fixed moment.
    let line: Record<string, unknown> | undefined;
    for (let waited = 0; waited < 2000 && line === undefined; waited += 20) {
      line = gateway.logs.find((entry) => entry.requestId === id);
      if (line === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(line).toMatchObject({
      level: expect.stringMatching(/info|error/),
      msg: 'request',
      method: 'GET',
      path: '/v1/models',
      status: 200,
      provider: 'default',
      attempts,
      durationMs: expect.any(Number),
    });
    expect(JSON.stringify(line)).not.toContain('secret=query');
  });
});
