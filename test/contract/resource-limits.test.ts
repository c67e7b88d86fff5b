import { request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chatChunk,
  type FakeUpstream,
  gate,
  openAiLike,
  replyJson,
  startFakeUpstream,
  startSse,
} from '../fixtures/fake-upstream.js';
import { assertNoSecrets, auth, CLIENT_KEY, OTHER_CLIENT_KEY, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

const MIB = 1024 * 1024;

/** Writes `total` bytes of `byte` (no event separator in them) as fast as the connection takes them, or until it closes. */
async function pour(res: ServerResponse, total: number, byte = 'x'): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, byte);
  for (let sent = 0; sent < total && !res.destroyed; sent += chunk.length) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
  }
  res.end();
}

// identity: the Workers runtime compresses answers for clients that accept it, as Cloudflare's edge does.
const chat = (gateway: Target, body: Record<string, unknown> = {}, key = CLIENT_KEY) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...auth(key), 'content-type': 'application/json', 'accept-encoding': 'identity' },
    body: JSON.stringify({ model: 'fake-model', messages: [], ...body }),
  });

/** A chat request over node:http, whose client decodes nothing: the status, headers and bytes as sent. */
function rawChat(gateway: Target): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${gateway.url}/v1/chat/completions`,
      {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json', 'accept-encoding': 'identity' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end('{"model":"fake-model","messages":[]}');
  });
}

describe.each(targets)('memory caps and encodings (%s)', (name, startTarget) => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let single: Target;
  let pair: Target;

  beforeAll(async () => {
    a = await startFakeUpstream();
    b = await startFakeUpstream();
    const limits = { MAX_FIRST_EVENT_BYTES: String(256 * 1024), MAX_DECODED_BODY_BYTES: String(MIB) };
    single = await startTarget({
      DEFAULT_OPENAI_PROVIDER: a.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
      MAX_ATTEMPTS: '1',
      STREAM_IDLE_TIMEOUT_MS: '500',
      ...limits,
    });
    pair = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: a.url, token: TOKENS.a },
        { id: 'b', baseUrl: b.url, token: TOKENS.b },
      ]),
      PROXY_API_KEYS: CLIENT_KEY,
      BREAKER_FAILURE_THRESHOLD: '1000',
      ...limits,
    });
  });
  afterEach(() => {
    a.handle(openAiLike);
    b.handle(openAiLike);
  });
  afterAll(async () => {
    await Promise.all([single.close(), pair.close()]);
    await Promise.all([a.close(), b.close()]);
  });

  it('fails a stream that sends more than MAX_FIRST_EVENT_BYTES without an event, and moves on', async () => {
    a.handle((_request, res) => {
      startSse(res);
      void pour(res, Number.POSITIVE_INFINITY);
    });
    // Round-robin: whichever provider comes first, the answer is b's stream.
    for (let i = 0; i < 2; i++) {
      const response = await chat(pair, { stream: true });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-proxy-provider')).toBe('b');
      expect(await response.text()).toContain('data: [DONE]');
    }
  });

  it('answers 502 naming MAX_FIRST_EVENT_BYTES when no provider is left', async () => {
    a.handle((_request, res) => {
      startSse(res);
      void pour(res, Number.POSITIVE_INFINITY);
    });
    const response = await chat(single, { stream: true });
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { type: 'api_error', code: 'upstream_failed' } });
    expect(text).toContain('MAX_FIRST_EVENT_BYTES');
    assertNoSecrets(text);
  });

  it('fails a gzip bomb at MAX_DECODED_BODY_BYTES (502), never handing on what it expands to', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MIB, ' '));
    a.handle((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const response = await chat(single);
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).toContain('MAX_DECODED_BODY_BYTES');
    expect(text.length).toBeLessThan(2000);
  });

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ])('decodes a %s answer and hands it on without its Content-Encoding', async (coding, encode) => {
    const body = JSON.stringify({ object: 'chat.completion', text: 'compressible '.repeat(500) });
    a.handle((_request, res) => {
      const bytes = encode(body);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': coding,
        'content-length': bytes.length,
      });
      res.end(bytes);
    });
    const response = await chat(single);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.text()).toBe(body);
  });

  it('never hands on encoded bytes under a dropped Content-Encoding (stacked or unknown codings)', async () => {
    const encoded = deflateSync(brotliCompressSync(gzipSync('{"object":"chat.completion"}')));
    for (const coding of ['gzip, br', 'zstd', 'deflate']) {
      a.handle((_request, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': coding,
          'content-length': encoded.length,
        });
        res.end(encoded);
      });
      const response = await rawChat(single);
      if (name === 'node' && coding === 'deflate') {
        // The Node transport decodes deflate itself.
        expect(response.status).toBe(200);
        expect(response.headers['content-encoding']).toBeUndefined();
      } else if (name === 'node') {
        // Passed on untouched: the header still says what the bytes are.
        expect(response.status).toBe(200);
        expect(response.headers['content-encoding']).toBe(coding);
        expect(Buffer.compare(response.body, encoded)).toBe(0);
      } else {
        // workerd's fetch may have decoded part of it: the attempt fails instead.
        expect(response.status).toBe(502);
        expect(response.body.toString()).toContain('content encoding');
      }
    }
  });

  it('cuts a plain-text body that goes silent past STREAM_IDLE_TIMEOUT_MS (Node: as a failed transfer)', async () => {
    const release = gate();
    a.handle(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the first part, then silence');
      await release.promise;
      res.end();
    });
    const started = performance.now();
    const response = await chat(single);
    expect(response.status).toBe(200);
    const outcome = await response.text().then(
      () => 'complete',
      () => 'failed',
    );
    release.open();
    // workerd ends a response whose body errored as if complete; Node breaks the transfer off.
    if (name === 'node') expect(outcome).toBe('failed');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await a.requests.at(-1)?.closed)?.finished).toBe(false);
  });
});

describe.each(targets)('per-key concurrency caps (%s)', (name, startTarget) => {
  let upstream: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: upstream.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: `${CLIENT_KEY},${OTHER_CLIENT_KEY}`,
      MAX_CONCURRENT_REQUESTS_PER_KEY: '2',
      MAX_OPEN_STREAMS_PER_KEY: '1',
      MAX_ATTEMPTS: '1',
      BREAKER_FAILURE_THRESHOLD: '1000',
    });
  });
  afterEach(() => upstream.handle(openAiLike));
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  async function expectRefused(response: Response, setting: string) {
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      error: { type: 'invalid_request_error', code: 'rate_limit_exceeded' },
    });
    expect(text).toContain(setting);
    assertNoSecrets(text, [CLIENT_KEY, ...Object.values(TOKENS)]);
  }

  it('refuses a third request in flight for one key (429, Retry-After: 1), not for another key, and frees the slots', async () => {
    const release = gate();
    upstream.handle(async (_request, res) => {
      await release.promise;
      replyJson(res, 200, { object: 'chat.completion' });
    });
    const held = [chat(gateway), chat(gateway)];
    while (upstream.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await expectRefused(await chat(gateway), 'MAX_CONCURRENT_REQUESTS_PER_KEY');
    upstream.handle(openAiLike);
    expect((await chat(gateway, {}, OTHER_CLIENT_KEY)).status).toBe(200);
    release.open();
    for (const response of await Promise.all(held)) expect(response.status).toBe(200);
    // Every slot came back: two at once again.
    const again = await Promise.all([chat(gateway), chat(gateway)]);
    expect(again.map((response) => response.status)).toEqual([200, 200]);
  });

  it('frees the slot of a failed request', async () => {
    upstream.handle((_request, res) => replyJson(res, 500, { error: { message: 'boom' } }));
    for (let i = 0; i < 4; i++) expect((await chat(gateway)).status).toBeGreaterThanOrEqual(500);
    upstream.handle(openAiLike);
    const both = await Promise.all([chat(gateway), chat(gateway)]);
    expect(both.map((response) => response.status)).toEqual([200, 200]);
  });

  it('refuses a second open stream for one key, and frees the slot when the stream ends (Node: or the client goes away)', async () => {
    const ended: Promise<unknown>[] = [];
    const open: ServerResponse[] = [];
    upstream.handle((request, res) => {
      startSse(res);
      res.write(chatChunk('Hello'));
      ended.push(request.closed);
      open.push(res);
    });
    const controller = new AbortController();
    const first = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', 'accept-encoding': 'identity' },
      body: JSON.stringify({ model: 'fake-model', messages: [], stream: true }),
      signal: controller.signal,
    });
    expect(first.status).toBe(200);
    const reader = first.body?.getReader();
    await reader?.read();
    await expectRefused(await chat(gateway, { stream: true }), 'MAX_OPEN_STREAMS_PER_KEY');
    // The refused stream's upstream request is not left open.
    await Promise.all(ended.slice(1));
    if (name === 'node') {
      controller.abort();
      await reader?.cancel().catch(() => {});
    } else {
      // Local workerd reports a client disconnect only intermittently (see streaming.test.ts): the stream ends.
      open[0]?.end(`${chatChunk('', 'stop')}data: [DONE]\n\n`);
      while (!(await reader?.read())?.done) {}
    }
    await ended[0];
    upstream.handle(openAiLike);
    // The slot is back: a new stream goes through (polled: the slot is freed as the body's end is noticed).
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      const response = await chat(gateway, { stream: true });
      status = response.status;
      await response.text();
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
  });
});
