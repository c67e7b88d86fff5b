import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { CLIENT_KEY, targets } from './helpers.js';
import type { Target } from './targets.js';

const AZURE_KEY = 'azure-SECRET-key-0123456789';
const EXTRA = 'extra-SECRET-value-42';

describe.each(targets)(
  'an Azure OpenAI-style provider: api-key auth, headers, query (%s)',
  (_name, startTarget) => {
    let upstream: FakeUpstream;
    let gateway: Target;
    let client: OpenAI;

    beforeAll(async () => {
      upstream = await startFakeUpstream();
      gateway = await startTarget({
        ADDITIONAL_PROVIDERS: JSON.stringify([
          {
            id: 'azure',
            // The Azure v1 API: https://RESOURCE.openai.azure.com/openai/v1
            baseUrl: `${upstream.url}/openai/v1`,
            tokenEnv: 'AZURE_OPENAI_API_KEY',
            auth: 'api-key',
            headers: { 'X-Ms-Useragent': 'openai-gateway' },
            headersEnv: { 'X-Extra-Secret': 'EXTRA_HEADER' },
            query: { 'api-version': 'preview' },
          },
        ]),
        AZURE_OPENAI_API_KEY: AZURE_KEY,
        EXTRA_HEADER: EXTRA,
        PROXY_API_KEYS: CLIENT_KEY,
      });
      // The client sends an api-key of its own too: it must not reach the provider.
      client = new OpenAI({
        apiKey: CLIENT_KEY,
        baseURL: `${gateway.url}/v1`,
        maxRetries: 0,
        defaultHeaders: { 'api-key': 'client-guess' },
      });
    });
    afterAll(async () => {
      await gateway.close();
      await upstream.close();
    });

    it('sends the token as api-key (no Authorization), the extra headers, and api-version after the path', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(completion.choices[0]?.message.content).toBe('Hello there');
      const seen = upstream.requests.at(-1);
      expect(seen?.url).toBe('/openai/v1/chat/completions?api-version=preview');
      expect(seen?.headers['api-key']).toBe(AZURE_KEY);
      expect(seen?.headers.authorization).toBeUndefined();
      expect(seen?.headers['x-ms-useragent']).toBe('openai-gateway');
      expect(seen?.headers['x-extra-secret']).toBe(EXTRA);
    });

    it("adds api-version after the client's own query", async () => {
      await fetch(`${gateway.url}/v1/models?limit=2`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
      expect(upstream.requests.at(-1)?.url).toBe('/openai/v1/models?limit=2&api-version=preview');
    });

    it('shows neither the key nor the header values in /stats or the logs', async () => {
      const stats = await (
        await fetch(`${gateway.url}/stats`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } })
      ).text();
      for (const text of [stats, JSON.stringify(gateway.logs)]) {
        expect(text).not.toContain(AZURE_KEY);
        expect(text).not.toContain(EXTRA);
      }
    });
  },
);
