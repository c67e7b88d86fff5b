import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { CLIENT_KEY, rawRequest, rawStatus, targets } from './helpers.js';
import type { Target } from './targets.js';

/**
 * What the Node entry's fast path (node:http without Web Request/Response) must do exactly as the Web path
 * does: both runtimes answer these the same way.
 */
describe.each(targets)('request parsing, fast path and Web path alike (%s)', (_name, startTarget) => {
  let upstream: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([{ id: 'a', baseUrl: upstream.url, models: ['listed-model'] }]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('sends a gateway-made error with its Content-Length (no chunked framing)', async () => {
    // identity: workerd would otherwise compress the answer again (then chunked), as the README says.
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{}',
      headers: { 'accept-encoding': 'identity' },
    });
    expect(response.status).toBe(401);
    const body = await response.arrayBuffer();
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
    expect(response.headers.get('transfer-encoding')).toBeNull();
  });

  it('joins a repeated Authorization header as a Web Headers does: a valid key first does not pass alone', async () => {
    const raw = await rawRequest(gateway.url, [
      'GET /v1/files HTTP/1.1',
      `Host: ${new URL(gateway.url).host}`,
      `Authorization: Bearer ${CLIENT_KEY}`,
      'Authorization: Bearer invented-key',
    ]);
    expect(rawStatus(raw)).toBe(401);
    expect(upstream.requests).toHaveLength(0);
  });

  it('takes a request target with a fragment as the path before it (the gateway lists /v1/models itself)', async () => {
    const raw = await rawRequest(gateway.url, [
      'GET /v1/models#part HTTP/1.1',
      `Host: ${new URL(gateway.url).host}`,
      `Authorization: Bearer ${CLIENT_KEY}`,
    ]);
    expect(rawStatus(raw)).toBe(200);
    expect(raw).toContain('"listed-model"');
    expect(upstream.requests).toHaveLength(0);
  });
});
