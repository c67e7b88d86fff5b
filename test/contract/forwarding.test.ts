import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chatCompletion,
  type FakeUpstream,
  openAiLike,
  replyGzipJson,
  replyJson,
  startFakeUpstream,
} from '../fixtures/fake-upstream.js';
import { assertNoSecrets, auth, CLIENT_KEY, responseText, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

describe.each(targets)('forwarding (%s)', (_name, startTarget) => {
  let upstream: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: `${upstream.url}/inference/`,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
    });
  });
  afterEach(() => {
    upstream.requests.length = 0;
    upstream.handle(openAiLike);
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('forwards method, path under the base path, query, body bytes and content-type unchanged', async () => {
    const body = '{"model":"m",  "messages":[{"role":"user","content":"héllo"}],"extra":1.50}';
    const response = await fetch(`${gateway.url}/v1/chat/completions?api-version=2&x=a%20b`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json; charset=utf-8' },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(chatCompletion('Hello there'));
    const [seen] = upstream.requests;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/inference/v1/chat/completions?api-version=2&x=a%20b');
    expect(seen?.body.toString('utf8')).toBe(body);
    expect(seen?.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  // PUT and PATCH (no OpenAI endpoint uses them) get 405: hardening.test.ts.
  it.each(['POST', 'DELETE', 'GET'])('forwards %s', async (method) => {
    upstream.handle((request, res) => replyJson(res, 200, { method: request.method }));
    const response = await fetch(`${gateway.url}/v1/files/file-1`, {
      method,
      headers: auth(),
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: 'x' }),
    });
    expect(await response.json()).toEqual({ method });
    expect(upstream.requests[0]?.url).toBe('/inference/v1/files/file-1');
  });

  it('replaces the client credentials with the provider token', async () => {
    await fetch(`${gateway.url}/v1/models`, {
      headers: { ...auth(), 'x-api-key': CLIENT_KEY, cookie: 'session=1' },
    });
    const headers = upstream.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe(`Bearer ${TOKENS.a}`);
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(JSON.stringify(upstream.requests[0]?.rawHeaders)).not.toContain(CLIENT_KEY);
  });

  it('drops hop-by-hop headers, including those named by Connection', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        `${gateway.url}/v1/models`,
        {
          headers: {
            ...auth(),
            connection: 'keep-alive, x-hop',
            'keep-alive': 'timeout=5',
            'x-hop': 'secret-hop',
            te: 'trailers',
            'proxy-authorization': 'Basic abc',
            'x-kept': 'yes',
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
    const headers = upstream.requests[0]?.headers ?? {};
    expect(headers['x-hop']).toBeUndefined();
    expect(headers['keep-alive']).toBeUndefined();
    expect(headers.te).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers['x-kept']).toBe('yes');
  });

  it('passes status, body and content-type back and names the provider', async () => {
    upstream.handle((_request, res) =>
      replyJson(
        res,
        400,
        { error: { message: 'bad', type: 'invalid_request_error', code: 'context_length_exceeded' } },
        {
          'content-type': 'application/problem+json',
          'x-ratelimit-remaining-requests': '42',
          'set-cookie': 'upstream=1',
          connection: 'x-upstream-hop',
          'x-upstream-hop': '1',
        },
      ),
    );
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth(),
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-proxy-provider')).toBe('default');
    expect(response.headers.get('x-proxy-attempts')).toBe('1');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('42');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('x-upstream-hop')).toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'context_length_exceeded',
    );
  });

  it('never hands the client a content-encoding that does not match the bytes it sends', async () => {
    upstream.handle((_request, res) => replyGzipJson(res, { decoded: true }));
    // node:http does not decode, so it sees exactly the bytes and headers the gateway sent.
    const response = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(
        `${gateway.url}/v1/models`,
        { headers: { ...auth(), 'accept-encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    // The runtime's fetch decoded the upstream body: either it goes out plain, without the header, or the
    // runtime compressed it again itself (workerd does for clients that accept gzip) and says so.
    expect([undefined, 'gzip']).toContain(response.encoding);
    const text =
      response.encoding === 'gzip'
        ? gunzipSync(response.body).toString('utf8')
        : response.body.toString('utf8');
    expect(JSON.parse(text)).toEqual({ decoded: true });
  });

  it('answers 502 in OpenAI shape when the provider refuses the gateway token, never 401', async () => {
    upstream.handle((_request, res) => replyJson(res, 401, { error: { message: `bad key ${TOKENS.a}` } }));
    const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
    expect(response.status).toBe(502);
    const text = await responseText(response);
    assertNoSecrets(text);
    expect(text).toContain('"code":"upstream_auth_failed"');
    expect(text).toContain('default');
  });

  it('retries its only provider once after a pause, then answers 502 naming it, without the upstream body', async () => {
    upstream.handle((_request, res) =>
      replyJson(res, 503, { error: { message: 'overloaded: upstream secret text' } }),
    );
    const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-proxy-attempts')).toBe('2');
    const text = await response.text();
    const { error } = JSON.parse(text) as { error: { message: string; type: string; code: string } };
    expect(error).toMatchObject({ type: 'api_error', code: 'upstream_failed' });
    expect(error.message).toBe(
      'All 2 attempts failed: "default" failed (HTTP 503); "default" failed (HTTP 503).',
    );
    expect(text).not.toContain('upstream secret text');
    const [first, second] = upstream.requests;
    expect(upstream.requests).toHaveLength(2);
    // Backoff with jitter: at least half of the 200 ms base between the two attempts.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(95);
  });
});

describe.each(targets)('provider base URLs (%s)', (_name, startTarget) => {
  let upstream: FakeUpstream;
  afterEach(async () => upstream.close());

  it('does not add /v1 twice to a base that ends in /v1, and sends no Authorization without a token', async () => {
    upstream = await startFakeUpstream();
    const gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([{ id: 'groq-like', baseUrl: `${upstream.url}/openai/v1` }]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
    try {
      const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-proxy-provider')).toBe('groq-like');
      expect(upstream.requests[0]?.url).toBe('/openai/v1/models');
      expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});

describe.each(targets)('upstream failures (%s)', (_name, startTarget) => {
  it('answers 502 naming the provider when it cannot be reached', async () => {
    const gone = await startFakeUpstream();
    await gone.close();
    const gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: gone.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
    });
    try {
      const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
      expect(response.status).toBe(502);
      const body = (await response.json()) as { error: { message: string; type: string; code: string } };
      expect(body.error.code).toBe('upstream_unreachable');
      expect(body.error.message).toContain('"default"');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await gateway.close();
    }
  });

  // 200 ms takes a timer of its own; a second or more, the Node entry's coarse timers (late by a tick at most).
  it.each(['200', '1000'])(
    'answers 504 when the provider sends no headers within UPSTREAM_HEADERS_TIMEOUT_MS=%s, never before',
    async (timeoutMs) => {
      const stalled = await startFakeUpstream(() => {});
      const gateway = await startTarget({
        DEFAULT_OPENAI_PROVIDER: stalled.url,
        DEFAULT_OPENAI_TOKEN: TOKENS.a,
        PROXY_API_KEYS: CLIENT_KEY,
        UPSTREAM_HEADERS_TIMEOUT_MS: timeoutMs,
      });
      try {
        const started = performance.now();
        const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
        expect(response.status).toBe(504);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
        expect(performance.now() - started).toBeGreaterThanOrEqual(Number(timeoutMs));
        // The gateway gave up on the upstream request too.
        expect((await stalled.requests[0]?.closed)?.finished).toBe(false);
      } finally {
        await gateway.close();
        await stalled.close();
      }
    },
  );
});
