import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeUpstream,
  replyJson,
  startFakeUpstream,
  type UpstreamHandler,
} from '../fixtures/fake-upstream.js';
import { faults } from '../fixtures/faults.js';
import { assertNoSecrets, auth, CLIENT_KEY, responseText, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts a target with a config file: on Node as GATEWAY_CONFIG_FILE (a real file), on Workers as the
 * GATEWAY_CONFIG variable (a Worker reads no files). The rest of `env` applies over it.
 */
function startWithFile(name: string, start: (env: Record<string, string>) => Promise<Target>) {
  return (file: object, env: Record<string, string>) => {
    if (name === 'workers') return start({ GATEWAY_CONFIG: JSON.stringify(file), ...env });
    const path = join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(file, null, 2));
    return start({ GATEWAY_CONFIG_FILE: path, ...env });
  };
}

/** An upstream that lists `ids` on /v1/models and answers everything else with `other`. */
const listing =
  (ids: string[], other: UpstreamHandler = faults.healthy): UpstreamHandler =>
  (request, res) =>
    request.url.endsWith('/v1/models')
      ? replyJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model' })) })
      : other(request, res);

describe.each(targets)('config file (%s)', (name, startTarget) => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let open: FakeUpstream;
  let gateway: Target;
  let client: OpenAI;

  beforeAll(async () => {
    a = await startFakeUpstream();
    b = await startFakeUpstream();
    // Serves any model (no list) as a backup, but fails: a failed model-b must fall back to model-a.
    open = await startFakeUpstream(listing(['open-model'], faults.status(503)));
    gateway = await startWithFile(name, startTarget)(
      {
        providers: [
          {
            id: 'a',
            baseUrl: a.url,
            tokenEnv: 'A_UPSTREAM_KEY',
            models: ['model-a'],
            aliases: { stable: 'a-own' },
          },
          // Replaced by ADDITIONAL_PROVIDERS below: the environment wins, by id.
          { id: 'b', baseUrl: 'http://127.0.0.1:9', models: ['model-b'] },
          { id: 'open', baseUrl: open.url, weight: 0 },
        ],
        modelFallbacks: { 'model-b': ['model-a'] },
        loadBalancerStrategy: 'least-used',
        proxyApiKeys: ['a-key-from-the-file'],
        modelsCacheTtlMs: 0,
      },
      {
        A_UPSTREAM_KEY: TOKENS.a,
        ADDITIONAL_PROVIDERS: JSON.stringify([
          { id: 'b', baseUrl: b.url, token: TOKENS.b, models: ['model-b'], aliases: { stable: 'b-own' } },
        ]),
        PROXY_API_KEYS: CLIENT_KEY,
      },
    );
    client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    for (const upstream of [a, b, open]) await upstream.close();
  });

  it('routes by the file, with the token its tokenEnv names and the environment provider in place of the file one', async () => {
    const chat = (model: string) =>
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect((await chat('model-a')).response.headers.get('x-proxy-provider')).toBe('a');
    expect((await chat('model-b')).response.headers.get('x-proxy-provider')).toBe('b');
    expect(a.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKENS.a}`);
    expect(b.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKENS.b}`);

    // The alias, as each provider spells it, merged from file and environment.
    for (let i = 0; i < 2; i++) await chat('stable');
    const sent = [...a.requests, ...b.requests].map((request) => JSON.parse(request.body.toString()).model);
    expect(sent).toEqual(expect.arrayContaining(['a-own', 'b-own']));
  });

  it('takes the rest from the file: strategy, fallbacks', async () => {
    const stats = (await (await fetch(`${gateway.url}/stats`, { headers: auth() })).json()) as {
      strategy: string;
    };
    expect(stats.strategy).toBe('least-used');
    b.handle(faults.status(503));
    try {
      const { response } = await client.chat.completions
        .create({ model: 'model-b', messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(response.headers.get('x-proxy-model')).toBe('model-a');
    } finally {
      b.handle(faults.healthy);
    }
  });

  it('PROXY_API_KEYS in the environment replaces the file keys', async () => {
    const response = await fetch(`${gateway.url}/v1/models`, { headers: auth('a-key-from-the-file') });
    expect(response.status).toBe(401);
    assertNoSecrets(await responseText(response));
  });

  it('uses the file cache time for /v1/models (0: asks the provider each time)', async () => {
    const before = open.requests.length;
    for (let i = 0; i < 2; i++) {
      const ids = (await client.models.list()).data.map((model) => model.id);
      expect(ids).toEqual(['stable', 'model-a', 'model-b', 'open-model']);
    }
    expect(open.requests.length - before).toBe(2);
  });
});

describe.each(targets)('/v1/models cache (%s)', (_name, startTarget) => {
  it('asks a provider without a model list once per cache time (default 5 minutes)', async () => {
    const open = await startFakeUpstream(listing(['open-model']));
    const gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'listed', baseUrl: open.url, models: ['m'] },
        { id: 'open', baseUrl: open.url },
      ]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
        const ids = ((await response.json()) as { data: { id: string }[] }).data.map((model) => model.id);
        expect(ids).toEqual(['m', 'open-model']);
      }
      expect(open.requests.filter((request) => request.url.endsWith('/v1/models'))).toHaveLength(1);
    } finally {
      await gateway.close();
      await open.close();
    }
  });
});

describe.each(targets)('config file errors (%s)', (name, startTarget) => {
  it('answers 500 naming the exact field, never a value', async () => {
    const gatewayOrError = startWithFile(name, startTarget)(
      { providers: [{ id: 'a', baseUrl: 'https://a.example', models: ['ok', ''] }] },
      { PROXY_API_KEYS: CLIENT_KEY, SECRET_HOLDER: TOKENS.a },
    );
    if (name === 'node') {
      // Node refuses to start (the spawned CLI's exit is checked in node-cli.test.ts).
      await expect(gatewayOrError).rejects.toThrow(/providers\[0\]\.models\[1\]: must not be empty/);
      return;
    }
    const gateway = await gatewayOrError;
    try {
      const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toBe(
        'Invalid configuration: GATEWAY_CONFIG providers[0].models[1]: must not be empty',
      );
    } finally {
      await gateway.close();
    }
  });
});
