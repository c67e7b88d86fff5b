import { describe, expect, it } from 'vitest';
import { parseConfig } from './config/parse-config.js';
import { createGateway } from './gateway.js';
import type { LogRecord } from './logger.js';
import type { UpstreamFetch } from './providers/transport.js';
import type { StartTimer } from './resilience/start-timer.js';

const TOKEN = 'sk-provider-SECRET-42';
const KEY = 'client-key-7';

function gatewayWith(options: { env?: Record<string, string>; fetch: UpstreamFetch }) {
  const logs: LogRecord[] = [];
  const gateway = createGateway({
    config: parseConfig({
      DEFAULT_OPENAI_PROVIDER: 'https://provider.example/inference',
      DEFAULT_OPENAI_TOKEN: TOKEN,
      PROXY_API_KEYS: KEY,
      ...options.env,
    }),
    fetch: options.fetch,
    logger: (record) => logs.push(record),
  });
  return { gateway, logs };
}

const request = (path: string, init: RequestInit = {}) =>
  new Request(`http://gateway.local${path}`, {
    ...init,
    headers: { authorization: `Bearer ${KEY}`, ...init.headers },
  });

describe('createGateway', () => {
  it('answers a 500 naming only the request id when the Web Response cannot be built (a bug), never a message', async () => {
    const { gateway, logs } = gatewayWith({
      // A header value no Web Headers accepts, as a transport with looser rules could hand on.
      fetch: async () =>
        ({
          status: 200,
          headers: {
            get: (name: string) => (name === 'x-bad' ? 'a\nb' : null),
            forEach: (callback: (value: string, name: string) => void) => callback('a\nb', 'x-bad'),
          },
          body: null,
        }) as unknown as Response,
    });
    const response = await gateway.fetch(request('/v1/files'));
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ error: { type: 'server_error', code: 'internal_error' } });
    expect(text).not.toMatch(/TypeError|Headers|x-bad/);
    expect(logs.some((line) => line.msg === 'unexpected error')).toBe(true);
  });

  it('turns an unexpected failure into a plain 500 naming only the request id, and logs it without secrets', async () => {
    const { gateway, logs } = gatewayWith({
      // Not a Response at all (headers it cannot list): the gateway trips over it, the kind of bug to contain.
      fetch: async () =>
        ({ status: 200, headers: { get: () => null }, detail: TOKEN }) as unknown as Response,
    });
    const response = await gateway.fetch(request('/v1/models'));
    expect(response.status).toBe(500);
    const id = response.headers.get('x-request-id');
    const body = (await response.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'server_error', code: 'internal_error' });
    expect(body.error.message).toContain(id);
    expect(body.error.message).not.toMatch(/TypeError|undefined|headers/);
    expect(logs.find((line) => line.msg === 'unexpected error')).toMatchObject({
      level: 'error',
      requestId: id,
    });
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('logs an unexpected error with its message, the configured secrets and credential shapes taken out', async () => {
    const { gateway, logs } = gatewayWith({
      // A bug whose message quotes what it choked on: the provider token, the client key, an Authorization value.
      fetch: async () =>
        ({
          status: 200,
          headers: {
            get: () => null,
            forEach() {
              throw new Error(`cannot read ${TOKEN} for ${KEY}: Authorization: Bearer other-secret-value`);
            },
          },
          body: null,
        }) as unknown as Response,
    });
    const response = await gateway.fetch(request('/v1/models'));
    expect(response.status).toBe(500);
    const line = logs.find((entry) => entry.msg === 'unexpected error');
    expect(line?.detail).toBe('cannot read [redacted] for [redacted]: Authorization: Bearer [redacted]');
  });

  it('logs a path with a configured secret in it with that secret taken out', async () => {
    const { gateway, logs } = gatewayWith({ fetch: async () => new Response('{}', { status: 404 }) });
    await (await gateway.fetch(request(`/v1/files/${KEY}/content`))).text();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(logs.find((line) => line.msg === 'request')?.path).toBe('/v1/files/[redacted]/content');
  });

  it('refuses every proxied request, naming PROXY_API_KEYS, when no client key is configured (the Workers default)', async () => {
    let called = false;
    const logs: LogRecord[] = [];
    const gateway = createGateway({
      config: parseConfig({
        DEFAULT_OPENAI_PROVIDER: 'https://provider.example',
        DEFAULT_OPENAI_TOKEN: TOKEN,
      }),
      fetch: async () => {
        called = true;
        return new Response('{}');
      },
      logger: (record) => logs.push(record),
    });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer anything' },
      { 'x-api-key': 'x' },
    ];
    for (const headers of attempts) {
      const response = await gateway.fetch(new Request('http://gateway.local/v1/models', { headers }));
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        'PROXY_API_KEYS',
      );
    }
    expect((await gateway.fetch(new Request('http://gateway.local/health'))).status).toBe(200);
    expect(called).toBe(false);
  });

  it('sends the upstream the provider URL and token, and hands the log line of a streamed body to waitUntil', async () => {
    const seen: { url: string; authorization: string | null }[] = [];
    const { gateway, logs } = gatewayWith({
      fetch: async (url, init) => {
        seen.push({ url, authorization: new Headers(init.headers).get('authorization') });
        return new Response('data: {}\n\ndata: [DONE]\n\n', {
          headers: { 'content-type': 'text/event-stream' },
        });
      },
    });
    const pending: Promise<unknown>[] = [];
    const response = await gateway.fetch(
      request('/v1/chat/completions?x=1', { method: 'POST', body: '{}' }),
      {
        waitUntil: (promise) => pending.push(promise),
      },
    );
    expect(seen).toEqual([
      { url: 'https://provider.example/inference/v1/chat/completions?x=1', authorization: `Bearer ${TOKEN}` },
    ]);
    expect(pending).toHaveLength(1);
    expect(logs.filter((line) => line.msg === 'request')).toHaveLength(0);
    expect(await response.text()).toBe('data: {}\n\ndata: [DONE]\n\n');
    await Promise.all(pending);
    expect(logs.filter((line) => line.msg === 'request')).toEqual([
      expect.objectContaining({ status: 200, provider: 'default', attempts: 1, outcome: 'complete' }),
    ]);
  });

  it('logs a JSON answer and a body-less one (read whole before answering) at once, with outcome complete', async () => {
    const { gateway, logs } = gatewayWith({
      fetch: async (_url, init) =>
        init.method === 'DELETE'
          ? new Response(null, { status: 204 })
          : new Response('{"object":"chat.completion"}', { headers: { 'content-type': 'application/json' } }),
    });
    const pending: Promise<unknown>[] = [];
    const context = { waitUntil: (promise: Promise<unknown>) => pending.push(promise) };
    const json = await gateway.fetch(
      request('/v1/chat/completions', { method: 'POST', body: '{}' }),
      context,
    );
    const empty = await gateway.fetch(request('/v1/files/f1', { method: 'DELETE' }), context);
    expect([json.status, empty.status]).toEqual([200, 204]);
    expect(pending).toHaveLength(0);
    expect(logs.filter((line) => line.msg === 'request')).toEqual([
      expect.objectContaining({ status: 200, path: '/v1/chat/completions', outcome: 'complete' }),
      expect.objectContaining({ status: 204, path: '/v1/files/f1', outcome: 'complete' }),
    ]);
  });

  it('answers 404 in OpenAI shape for /v1 itself and for routes outside /v1/', async () => {
    const { gateway } = gatewayWith({ fetch: async () => new Response('{}') });
    for (const path of ['/v1', '/v2/models', '/']) {
      const response = await gateway.fetch(request(path));
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    }
  });

  it('answers /health through the proxy route, directly and through the Web handler: no key, JSON, CORS, request id, a log line', async () => {
    const { gateway, logs } = gatewayWith({ fetch: async () => new Response('{}') });
    expect(gateway.proxy.claims('GET', '/health')).toBe(true);
    expect(gateway.proxy.claims('HEAD', '/health')).toBe(true);
    expect(gateway.proxy.claims('OPTIONS', '/health')).toBe(true);
    expect(gateway.proxy.claims('POST', '/health')).toBe(false);
    expect(gateway.proxy.claims('GET', '/health/x')).toBe(false);

    const web = await gateway.fetch(new Request('http://gateway.local/health'));
    const core = await gateway.proxy.handle({
      method: 'GET',
      url: 'http://gateway.local/health',
      headers: new Headers({ origin: 'https://app.example' }),
      body: () => null,
      signal: new AbortController().signal,
    });
    for (const answer of [web, core]) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const expected = { status: 'ok', providers: 1, providersOpen: 0, demo: false };
    expect(await web.json()).toMatchObject(expected);
    expect(JSON.parse(new TextDecoder().decode(core.body as Uint8Array))).toMatchObject(expected);
    expect(logs.filter((line) => line.msg === 'request' && line.path === '/health')).toHaveLength(2);

    const head = await gateway.fetch(new Request('http://gateway.local/health', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('createGateway with a startTimer of its own', () => {
  it('starts every per-request timeout through it, and cancels them all once the answer is done', async () => {
    const started: { ms: number; cancelled: boolean }[] = [];
    const startTimer: StartTimer = (ms) => {
      const timer = { ms, cancelled: false };
      started.push(timer);
      return {
        cancel: () => {
          timer.cancelled = true;
        },
      };
    };
    const gateway = createGateway({
      config: parseConfig({
        DEFAULT_OPENAI_PROVIDER: 'https://provider.example',
        DEFAULT_OPENAI_TOKEN: TOKEN,
        PROXY_API_KEYS: KEY,
        UPSTREAM_HEADERS_TIMEOUT_MS: '7000',
        STREAM_IDLE_TIMEOUT_MS: '9000',
        FIRST_TOKEN_TIMEOUT_MS: '8000',
        REQUEST_TIMEOUT_MS: '600000',
      }),
      fetch: async (url) =>
        String(url).endsWith('/chat/completions')
          ? new Response('data: {"x":1}\n\ndata: [DONE]\n\n', {
              headers: { 'content-type': 'text/event-stream' },
            })
          : Response.json({ ok: true }),
      logger: () => {},
      startTimer,
    });
    const json = await gateway.fetch(request('/v1/embeddings', { method: 'POST', body: '{}' }));
    expect(await json.json()).toEqual({ ok: true });
    // The request's deadline (rounded down to a 100 ms step), the upstream headers, the idle body, the upload.
    expect(started.map((timer) => timer.ms).sort((a, b) => a - b)).toEqual([
      7000,
      9000,
      30_000,
      expect.closeTo(600_000, -3),
    ]);
    expect(started.every((timer) => timer.cancelled)).toBe(true);

    started.length = 0;
    const stream = await gateway.fetch(request('/v1/chat/completions', { method: 'POST', body: '{}' }));
    expect(await stream.text()).toContain('[DONE]');
    // Headers, first event (the only provider: waited on for the whole budget), the idle watchdog of the
    // relayed stream, the upload, and the deadline.
    expect(started.map((timer) => timer.ms).sort((a, b) => a - b)).toEqual([
      7000,
      9000,
      30_000,
      expect.closeTo(600_000, -3),
      expect.closeTo(600_000, -3),
    ]);
    expect(started.every((timer) => timer.cancelled)).toBe(true);
  });
});

describe('createGateway: per-key slots', () => {
  it('gives every slot back exactly once, however the answer ended (one slot per key, so a leak would show)', async () => {
    let mode: 'json' | 'stream' | 'endless' | 'fail' | 'cut' = 'json';
    const { gateway } = gatewayWith({
      env: { MAX_CONCURRENT_REQUESTS_PER_KEY: '1', MAX_OPEN_STREAMS_PER_KEY: '1', MAX_ATTEMPTS: '1' },
      fetch: async () => {
        if (mode === 'fail') return new Response('{}', { status: 500 });
        if (mode === 'json') return Response.json({ ok: true });
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode('data: {"x":1}\n\n'));
            if (mode === 'stream') {
              controller.enqueue(encoder.encode('data: [DONE]\n\n'));
              controller.close();
            }
          },
          pull(controller) {
            if (mode === 'cut') controller.error(new Error('reset'));
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    const post = () => gateway.fetch(request('/v1/chat/completions', { method: 'POST', body: '{}' }));
    const next = async () => {
      const response = await post();
      expect(response.status).not.toBe(429);
      return response;
    };
    for (const round of [1, 2]) {
      mode = 'json';
      expect((await next()).status, `round ${round}`).toBe(200);
      mode = 'stream';
      expect(await (await next()).text()).toContain('[DONE]');
      mode = 'cut';
      expect(await (await next()).text()).toContain('upstream_stream_interrupted');
      mode = 'endless';
      const open = await next();
      const reader = open.body?.getReader();
      await reader?.read();
      // While it is open, the key's one slot is taken.
      const refused = await post();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      await reader?.cancel();
      mode = 'fail';
      expect((await next()).status).toBeGreaterThanOrEqual(500);
      // A refused key check takes no slot.
      const unknown = await gateway.fetch(
        request('/v1/chat/completions', {
          method: 'POST',
          body: '{}',
          headers: { authorization: 'Bearer nope' },
        }),
      );
      expect(unknown.status).toBe(401);
    }
  });
});
