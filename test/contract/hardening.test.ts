import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, openAiLike, replyJson, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { assertNoSecrets, auth, CLIENT_KEY, rawRequest, rawStatus, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

/** The status, lowercased header names and body of a raw HTTP response. */
function parseRaw(raw: string): { status: number; headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const lines = raw.slice(0, end).split('\r\n').slice(1);
  const headers = new Map(
    lines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: rawStatus(raw), headers, body: raw.slice(end + 4) };
}

describe.each(targets)('hardening: requests (%s)', (name, startTarget) => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let gateway: Target;
  let routed: Target;
  let narrowed: Target;

  beforeAll(async () => {
    a = await startFakeUpstream();
    b = await startFakeUpstream();
    gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: a.url, token: TOKENS.a },
        { id: 'b', baseUrl: b.url, token: TOKENS.b },
      ]),
      LOAD_BALANCER_STRATEGY: 'round-robin',
      PROXY_API_KEYS: CLIENT_KEY,
    });
    routed = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: a.url, token: TOKENS.a, models: ['m*', 'whisper-1'] },
      ]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
    narrowed = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([{ id: 'a', baseUrl: a.url, token: TOKENS.a, models: ['m1'] }]),
      PROXY_API_KEYS: CLIENT_KEY,
      ALLOWED_PATHS: 'chat/completions, audio/*',
    });
  });
  afterEach(() => {
    a.requests.length = 0;
    b.requests.length = 0;
    a.handle(openAiLike);
    b.handle(openAiLike);
  });
  afterAll(async () => {
    await Promise.all([gateway.close(), routed.close(), narrowed.close()]);
    await Promise.all([a.close(), b.close()]);
  });

  const send = (target: Target, lines: string[]) =>
    rawRequest(target.url, [lines[0] as string, `Host: ${new URL(target.url).host}`, ...lines.slice(1)]);
  const forwarded = () => a.requests.length + b.requests.length;

  it.each(['TRACE', 'PUT', 'PATCH', 'PROPFIND', 'TRACK', 'CONNECT', 'FOO'])(
    '%s is never forwarded: 405 with Allow in OpenAI shape (or refused by the runtime first)',
    async (method) => {
      const target = method === 'CONNECT' ? `${new URL(gateway.url).host}` : '/v1/chat/completions';
      const raw = await send(gateway, [
        `${method} ${target} HTTP/1.1`,
        `Authorization: Bearer ${CLIENT_KEY}`,
        'Content-Length: 0',
      ]);
      const { status, headers, body } = parseRaw(raw);
      expect(forwarded()).toBe(0);
      if (['TRACE', 'PUT', 'PATCH', 'PROPFIND'].includes(method) || status === 405) {
        expect(status).toBe(405);
        expect(headers.get('allow')).toBe('GET, HEAD, POST, DELETE, OPTIONS');
        expect(JSON.parse(body)).toMatchObject({
          error: { type: 'invalid_request_error', code: 'method_not_allowed' },
        });
      } else {
        // Node's HTTP parser and workerd refuse unknown methods and CONNECT before any Worker or handler runs.
        // Node closes a CONNECT it has no handler for without an answer (status 0 here).
        expect([0, 400, 404, 405, 501]).toContain(status);
      }
      assertNoSecrets(raw);
    },
  );

  it('still forwards GET, HEAD, POST and DELETE', async () => {
    a.handle((request, res) => replyJson(res, 200, { method: request.method }));
    b.handle((request, res) => replyJson(res, 200, { method: request.method }));
    for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
      const response = await fetch(`${gateway.url}/v1/files/f1`, { method, headers: auth() });
      expect(response.status, method).toBe(200);
      await response.arrayBuffer();
    }
    expect([...a.requests, ...b.requests].map((seen) => seen.method).sort()).toEqual([
      'DELETE',
      'GET',
      'HEAD',
      'POST',
    ]);
  });

  it('does not forward OpenAI-Organization, OpenAI-Project, hop-by-hop, proxy or client-address headers', async () => {
    const raw = await send(gateway, [
      'GET /v1/files HTTP/1.1',
      `Authorization: Bearer ${CLIENT_KEY}`,
      'Connection: keep-alive, X-Hop-Named',
      'Keep-Alive: timeout=5',
      'OpenAI-Organization: org-client',
      'OpenAI-Project: proj-client',
      'Proxy-Foo: 1',
      'Via: 1.1 client-proxy',
      'X-Client-IP: 203.0.113.7',
      'X-Forwarded-For: 203.0.113.7',
      'Forwarded: for=203.0.113.7',
      'TE: trailers',
      'OpenAI-Beta: assistants=v2',
    ]);
    expect(rawStatus(raw)).toBe(404);
    const seen = [...a.requests, ...b.requests][0];
    const names = (seen?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const dropped of [
      'openai-organization',
      'openai-project',
      'keep-alive',
      'proxy-foo',
      'via',
      'x-client-ip',
      'x-forwarded-for',
      'forwarded',
      'te',
    ]) {
      expect(names, dropped).not.toContain(dropped);
    }
    expect(JSON.stringify(seen?.rawHeaders)).not.toContain('203.0.113.7');
    expect(names).toContain('openai-beta');
  });

  it('passes no provider Location, Content-Location, Server, WWW-Authenticate, HSTS or Alt-Svc to the client', async () => {
    const leaky = (_request: unknown, res: import('node:http').ServerResponse) =>
      replyJson(
        res,
        200,
        { ok: true },
        {
          location: 'http://10.0.0.1/internal',
          'content-location': '/internal/x',
          server: 'internal-nginx/1.2',
          'www-authenticate': 'Basic realm="internal"',
          'strict-transport-security': 'max-age=31536000',
          'alt-svc': 'h3=":443"',
          'x-request-id': 'req_upstream',
        },
      );
    a.handle(leaky);
    b.handle(leaky);
    const response = await fetch(`${gateway.url}/v1/files`, { headers: auth() });
    expect(response.status).toBe(200);
    for (const dropped of [
      'location',
      'content-location',
      'www-authenticate',
      'strict-transport-security',
      'alt-svc',
    ]) {
      expect(response.headers.has(dropped), dropped).toBe(false);
    }
    expect(response.headers.get('server') ?? '').not.toContain('internal-nginx');
    await response.arrayBuffer();
  });

  it('takes a 3xx from a provider for a failed attempt: the other provider answers; alone, a 502', async () => {
    const redirect = (_request: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(302, { location: 'http://10.0.0.1/steal' });
      res.end();
    };
    a.handle(redirect);
    b.handle(redirect);
    const failed = await fetch(`${gateway.url}/v1/files`, { headers: auth(), redirect: 'manual' });
    expect(failed.status).toBe(502);
    expect(failed.headers.has('location')).toBe(false);
    expect(((await failed.json()) as { error: { message: string } }).error.message).toContain('redirect');
    b.handle((_request, res) => replyJson(res, 200, { from: 'b' }));
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${gateway.url}/v1/files`, { headers: auth(), redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ from: 'b' });
    }
  });

  it.each([100, 103])('an upstream %i before the answer never crashes the gateway', async (interim) => {
    const early = (_request: unknown, res: import('node:http').ServerResponse) => {
      if (interim === 103) res.writeEarlyHints({ link: '</x.js>; rel=preload' });
      else res.writeContinue();
      replyJson(res, 200, { ok: true });
    };
    a.handle(early);
    b.handle(early);
    const raw = await send(gateway, ['GET /v1/files HTTP/1.1', `Authorization: Bearer ${CLIENT_KEY}`]);
    const { status, headers, body } = parseRaw(raw);
    // Either the runtime read past the interim answer (200), or the attempts failed cleanly (502: undici drops
    // a connection that sends an unasked-for 100; workerd hands a 103 on as if it were the answer).
    expect([200, 502], `${name}: ${raw.slice(0, 300)}`).toContain(status);
    expect(headers.get('x-request-id')).toBeDefined();
    expect(body).not.toMatch(/TypeError|at async|\.js:\d+/);
    if (status === 502) expect(body).toMatch(/"code":"upstream_(failed|unreachable)"/);
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    await health.arrayBuffer();
  });

  describe('with model routing configured', () => {
    const post = (
      target: Target,
      contentType: string | null,
      body: Uint8Array<ArrayBuffer> | string,
      more: Record<string, string> = {},
    ) =>
      fetch(`${target.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth(), ...(contentType === null ? {} : { 'content-type': contentType }), ...more },
        body,
      });

    it.each([
      ['text/plain', '{"model":"expensive"}', 'unreadable_body'],
      ['application/x-www-form-urlencoded', '{"model":"expensive"}', 'unreadable_body'],
      ['application/json', '{"model":"m1","model":"expensive"}', 'invalid_model'],
      ['application/json', '{"model":["m1"]}', 'invalid_model'],
      ['application/json', '{"model":"m1",}', 'unreadable_body'],
      ['application/json', `{"model":"${'m'.repeat(300)}"}`, 'invalid_model'],
      [
        'multipart/form-data; boundary=xx',
        '--xx\r\nContent-Disposition: form-data; name="model"\r\n\r\nexpensive\r\n--xx \r\n',
        'unreadable_body',
      ],
    ])('%s %s: 400 %s, nothing forwarded', async (contentType, body, code) => {
      const response = await post(routed, contentType, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', code } });
      expect(a.requests).toHaveLength(0);
    });

    it('refuses a compressed request body with 400, nothing forwarded', async () => {
      const response = await post(routed, 'application/json', gzipSync('{"model":"expensive"}'), {
        'content-encoding': 'gzip',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'unreadable_body' } });
      expect(a.requests).toHaveLength(0);
    });

    it('routes a JSON body whose content type is oddly cased and has parameters, and a strict multipart form', async () => {
      const json = await post(routed, 'Application/JSON; Charset="UTF-8"', '{"model":"m1","messages":[]}');
      expect(json.status).toBe(200);
      await json.arrayBuffer();
      const form = new FormData();
      form.append('model', 'whisper-1');
      form.append('file', new Blob([new Uint8Array(2000)]), 'a.wav');
      const audio = await fetch(`${routed.url}/v1/audio/transcriptions`, {
        method: 'POST',
        headers: auth(),
        body: form,
      });
      expect(audio.status).toBe(200);
      expect(audio.headers.get('x-proxy-model')).toBe('whisper-1');
      await audio.arrayBuffer();
    });

    it('encodes a model name that is no valid header value in x-proxy-model instead of failing', async () => {
      const response = await post(
        routed,
        'application/json',
        JSON.stringify({ model: 'm\r\nx-injected: 1 模型', messages: [] }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('x-proxy-model')).toBe(encodeURIComponent('m\r\nx-injected: 1 模型'));
      expect(response.headers.has('x-injected')).toBe(false);
      await response.arrayBuffer();
    });
  });

  describe('with ALLOWED_PATHS', () => {
    it('refuses an endpoint outside the list with 403 endpoint_not_allowed, nothing forwarded', async () => {
      for (const path of ['/v1/files', '/v1/batches/b1', '/v1/chat/completions/abc', '/v1/models']) {
        const response = await fetch(`${narrowed.url}${path}`, { headers: auth() });
        expect(response.status, path).toBe(403);
        expect(await response.json()).toMatchObject({
          error: { type: 'invalid_request_error', code: 'endpoint_not_allowed' },
        });
      }
      expect(a.requests).toHaveLength(0);
    });

    it('asks for the key first: no key, 401', async () => {
      const response = await fetch(`${narrowed.url}/v1/files`);
      expect(response.status).toBe(401);
      await response.arrayBuffer();
    });

    it('forwards what the list allows, an escaped spelling included', async () => {
      const chat = await fetch(`${narrowed.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: '{"model":"m1","messages":[]}',
      });
      expect(chat.status).toBe(200);
      await chat.arrayBuffer();
      const raw = await send(narrowed, [
        'POST /v1/audio/%74ranscriptions HTTP/1.1',
        `Authorization: Bearer ${CLIENT_KEY}`,
        'Content-Length: 0',
      ]);
      expect(rawStatus(raw)).not.toBe(403);
      expect(a.requests.map((seen) => seen.url)).toEqual([
        '/v1/chat/completions',
        '/v1/audio/%74ranscriptions',
      ]);
    });
  });

  it('logs a client key that arrives percent-encoded in a path only redacted', async () => {
    const encoded = CLIENT_KEY.replace(/-/g, '%2D');
    const raw = await send(gateway, [
      `GET /v1/keyprobe/${encoded} HTTP/1.1`,
      `Authorization: Bearer ${CLIENT_KEY}`,
    ]);
    expect(rawStatus(raw)).toBe(404);
    const deadline = Date.now() + 2000;
    let line: string | undefined;
    while (Date.now() < deadline) {
      line = gateway.logs
        .map((record) => JSON.stringify(record))
        .find((text) => text.includes('/v1/keyprobe/'));
      if (line !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(line, JSON.stringify(gateway.logs.slice(-3))).toContain('[redacted]');
    for (const record of gateway.logs) {
      const text = JSON.stringify(record);
      expect(text).not.toContain(CLIENT_KEY);
      expect(text).not.toContain(encoded);
    }
  });
});
