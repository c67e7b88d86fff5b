import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { CLIENT_KEY, rawRequest, rawStatus, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

describe.each(targets)('path handling never escapes the provider base path (%s)', (_name, startTarget) => {
  let provider: FakeUpstream;
  let elsewhere: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    provider = await startFakeUpstream();
    elsewhere = await startFakeUpstream();
    gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: `${provider.url}/inference`,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await provider.close();
    await elsewhere.close();
  });

  const host = () => new URL(gateway.url).host;
  const send = (target: string) =>
    rawRequest(gateway.url, [
      `GET ${target} HTTP/1.1`,
      `Host: ${host()}`,
      `Authorization: Bearer ${CLIENT_KEY}`,
    ]);

  it.each([
    '/v1/../secret',
    '/v1/%2e%2e/secret',
    '/v1/%2E%2E/%2e%2e/secret',
    '/v1/.%2e/secret',
    '/v1/..%2fsecret',
    '/v1/models/..%2F..%2Fsecret',
    '/v1/%5c..%5csecret',
    '/v1/..\\..\\secret',
    '/v1//evil.example/x',
    '//evil.example/v1/models',
    '/v1/./models',
    '/v1/models/%2e',
  ])('%s reaches nothing outside /inference/v1/ on the provider', async (target) => {
    const before = provider.requests.length;
    const raw = await send(target);
    const status = rawStatus(raw);
    for (const seen of provider.requests.slice(before)) {
      expect(seen.url.startsWith('/inference/v1/')).toBe(true);
      expect(seen.url).not.toMatch(/\/\.\.?(\/|$)|%2e|%2f|%5c|\\|\/\//i);
    }
    // Either refused (400 bad path, 404 unknown route) or forwarded to a normalised path under the base.
    expect([200, 400, 404]).toContain(status);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('ignores the host of an absolute-form request target', async () => {
    const before = provider.requests.length;
    const raw = await send(`${elsewhere.url}/v1/models`);
    expect(elsewhere.requests).toHaveLength(0);
    if (rawStatus(raw) === 200) {
      expect(provider.requests.slice(before).map((seen) => seen.url)).toEqual(['/inference/v1/models']);
    } else {
      // Refused, by the gateway or before it: local workerd's front answers absolute-form with a bare 500.
      expect(rawStatus(raw)).toBeGreaterThanOrEqual(400);
      expect(provider.requests.length).toBe(before);
    }
  });

  it('refuses encoded slashes with a 400 in OpenAI shape', async () => {
    const raw = await send('/v1/files/..%2f..%2fadmin');
    expect(rawStatus(raw)).toBe(400);
    expect(raw).toContain('"code":"invalid_path"');
  });
});
