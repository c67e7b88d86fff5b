import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { auth, CLIENT_KEY, OTHER_CLIENT_KEY, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

type ErrorBody = { error: { message: string; type: string; code: string | null } };

describe.each(targets)('client keys (%s)', (_name, startTarget) => {
  let upstream: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: upstream.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: ` ${CLIENT_KEY} , ${OTHER_CLIENT_KEY} `,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${CLIENT_KEY}` }],
    ['lower-case bearer', { authorization: `bearer ${OTHER_CLIENT_KEY}` }],
    ['X-API-KEY', { 'x-api-key': CLIENT_KEY }],
  ])('accepts a listed key sent as %s', async (_how, headers) => {
    const response = await fetch(`${gateway.url}/v1/models`, { headers });
    expect(response.status).toBe(200);
    expect((await fetch(`${gateway.url}/stats`, { headers })).status).toBe(200);
  });

  it.each([
    ['no key', {}],
    ['an invented key', { authorization: 'Bearer made-up-key' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a key that is a prefix of a real one', { 'x-api-key': CLIENT_KEY.slice(0, -1) }],
    ['a provider token', { authorization: `Bearer ${TOKENS.a}` }],
  ])('refuses %s with 401 in OpenAI shape, before reaching the provider', async (_how, headers) => {
    const before = upstream.requests.length;
    for (const path of ['/v1/models', '/stats']) {
      const response = await fetch(`${gateway.url}${path}`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const body = (await response.json()) as ErrorBody;
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
      expect(body.error.message).not.toContain('made-up-key');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('serves /health without a key and reveals nothing secret', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'ok' });
    expect(text).not.toContain(TOKENS.a);
    expect(text).not.toContain(CLIENT_KEY);
    expect(text).not.toContain(upstream.url);
  });

  it('answers HEAD /health with the headers of GET and no body', async () => {
    const response = await fetch(`${gateway.url}/health`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.text()).toBe('');
  });

  it('answers 404 for unknown routes, with or without a key', async () => {
    for (const headers of [{}, auth()]) {
      for (const [method, path] of [
        ['GET', '/'],
        ['GET', '/v2/models'],
        ['POST', '/health'],
        ['GET', '/V1/models'],
      ] as const) {
        const response = await fetch(`${gateway.url}${path}`, { method, headers });
        expect(response.status).toBe(404);
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(((await response.json()) as ErrorBody).error.type).toBe('invalid_request_error');
      }
    }
  });
});

describe.each(targets)('any-key mode, PROXY_API_KEYS="*" (%s)', (_name, startTarget) => {
  it('accepts any non-empty key and still refuses none', async () => {
    const upstream = await startFakeUpstream();
    const gateway = await startTarget({ DEFAULT_OPENAI_PROVIDER: upstream.url, PROXY_API_KEYS: '*' });
    try {
      expect((await fetch(`${gateway.url}/v1/models`, { headers: auth('anything-at-all') })).status).toBe(
        200,
      );
      expect((await fetch(`${gateway.url}/v1/models`, { headers: { 'x-api-key': 'x' } })).status).toBe(200);
      expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(401);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

describe.each(targets)('CORS (%s)', (_name, startTarget) => {
  let upstream: FakeUpstream;
  let open: Target;
  let listed: Target;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    const env = {
      DEFAULT_OPENAI_PROVIDER: upstream.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
    };
    open = await startTarget(env);
    listed = await startTarget({
      ...env,
      CORS_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000/',
    });
  });
  afterAll(async () => {
    await open.close();
    await listed.close();
    await upstream.close();
  });

  const preflight = (gateway: Target, path: string, origin = 'https://any.example') =>
    fetch(`${gateway.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-api-key, x-stainless-os',
      },
    });

  it.each(['/v1/chat/completions', '/stats', '/health', '/no-such-route'])(
    'answers a preflight to %s with 204 before auth',
    async (path) => {
      const before = upstream.requests.length;
      const response = await preflight(open, path);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of ['authorization', 'content-type', 'x-api-key', 'x-stainless-os']) {
        expect(allowed).toContain(header);
      }
      expect(upstream.requests.length).toBe(before);
    },
  );

  it('puts Access-Control-Allow-Origin on success and on every error', async () => {
    const cases: [string, RequestInit, number][] = [
      ['/v1/models', { headers: auth() }, 200],
      ['/health', {}, 200],
      ['/stats', { headers: auth() }, 200],
      ['/v1/models', {}, 401],
      ['/nowhere', {}, 404],
      ['/v1/files/..%2fx', { headers: auth() }, 400],
    ];
    for (const [path, init, status] of cases) {
      const response = await fetch(`${open.url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), origin: 'https://any.example' },
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('echoes a listed origin with Vary: Origin and gives any other origin nothing', async () => {
    for (const origin of ['https://app.example.com', 'http://localhost:3000']) {
      const response = await fetch(`${listed.url}/v1/models`, { headers: { ...auth(), origin } });
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toContain('Origin');
      const pre = await preflight(listed, '/v1/models', origin);
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const other = await fetch(`${listed.url}/v1/models`, {
      headers: { ...auth(), origin: 'https://evil.example' },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const otherPreflight = await preflight(listed, '/v1/models', 'https://evil.example');
    expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const unauthorised = await fetch(`${listed.url}/v1/models`, {
      headers: { origin: 'https://app.example.com' },
    });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });
});
