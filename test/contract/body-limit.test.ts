import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { auth, CLIENT_KEY, TOKENS, targets } from './helpers.js';
import { startNodeTarget, type Target } from './targets.js';

describe.each(targets)('request body limit (%s)', (_name, startTarget) => {
  let upstream: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: upstream.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
      MAX_BODY_BYTES: '1000',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('accepts a body of exactly MAX_BODY_BYTES', async () => {
    const response = await fetch(`${gateway.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: auth(),
      body: 'x'.repeat(1000),
    });
    expect(response.status).toBe(200);
    expect(upstream.requests.at(-1)?.body.length).toBe(1000);
  });

  it('answers 413 in OpenAI shape when Content-Length is over the limit, without contacting the provider', async () => {
    const before = upstream.requests.length;
    const response = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: auth(),
      body: 'x'.repeat(1001),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'request_too_large' },
    });
    expect(upstream.requests.length).toBe(before);
  });

  it('answers 413 when a chunked body without Content-Length grows past the limit', async () => {
    const before = upstream.requests.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/v1/audio/transcriptions`, {
        method: 'POST',
        headers: { ...auth(), 'transfer-encoding': 'chunked', 'content-type': 'application/octet-stream' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let sent = 0;
      const timer = setInterval(() => {
        // Keep sending 400-byte chunks until the gateway answers.
        if (sent > 20_000) return clearInterval(timer);
        req.write('y'.repeat(400));
        sent += 400;
      }, 5);
      req.on('response', () => clearInterval(timer));
    });
    expect(status).toBe(413);
    expect(upstream.requests.length).toBe(before);
  });
});

describe.each(targets)('default body limit (%s)', (_name, startTarget) => {
  it('takes a 20 MB audio upload under the default 50 MiB limit, bytes unchanged', async () => {
    const upstream = await startFakeUpstream();
    const gateway = await startTarget({ DEFAULT_OPENAI_PROVIDER: upstream.url, PROXY_API_KEYS: CLIENT_KEY });
    try {
      const body = Buffer.alloc(20_000_000, 7);
      const response = await fetch(`${gateway.url}/v1/audio/transcriptions`, {
        method: 'POST',
        headers: auth(),
        body,
      });
      expect(response.status).toBe(200);
      expect(upstream.requests.at(-1)?.body.equals(body)).toBe(true);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

describe('a client that goes away mid-upload (node)', () => {
  it('is logged as 499 client_closed_request, not as an unexpected error, and reaches no provider', async () => {
    const upstream = await startFakeUpstream();
    const gateway = await startNodeTarget({
      DEFAULT_OPENAI_PROVIDER: upstream.url,
      PROXY_API_KEYS: CLIENT_KEY,
    });
    try {
      await new Promise<void>((resolve) => {
        const req = httpRequest(`${gateway.url}/v1/audio/transcriptions`, {
          method: 'POST',
          headers: { ...auth(), 'content-length': '5000', 'content-type': 'application/octet-stream' },
        });
        req.on('error', () => resolve());
        req.write('x'.repeat(100), () => setTimeout(() => req.destroy(), 50));
      });
      let line: Record<string, unknown> | undefined;
      for (let waited = 0; waited < 2000 && line === undefined; waited += 20) {
        line = gateway.logs.find((record) => record.msg === 'request');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(line).toMatchObject({ status: 499, path: '/v1/audio/transcriptions' });
      expect(gateway.logs.filter((record) => record.msg === 'unexpected error')).toEqual([]);
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
