import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { CLIENT_KEY, rawRequest, TOKENS } from './helpers.js';
import { startNodeTarget, type Target } from './targets.js';

describe("Node: the Web adapter's path (targets with escapes) never writes an error message or prints a stack", () => {
  let upstream: FakeUpstream;
  let gateway: Target;

  beforeAll(async () => {
    upstream = await startFakeUpstream((_request, res) => {
      // A plain-text answer cut off after its first bytes: the client already has the status line.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial...');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    gateway = await startNodeTarget({
      DEFAULT_OPENAI_PROVIDER: upstream.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('resets the connection of an answer that breaks midway, with nothing appended', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // The escape keeps the request off the fast path: it goes through @hono/node-server.
      const raw = await rawRequest(gateway.url, [
        'GET /v1/files/a%20b HTTP/1.1',
        `Host: ${new URL(gateway.url).host}`,
        `Authorization: Bearer ${CLIENT_KEY}`,
      ]);
      expect(raw).toContain('partial...');
      expect(raw).not.toMatch(/Error:|TypeError|terminated|other side closed/);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });
});
