import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/core/index.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
/** Every `ADDITIONAL_PROVIDERS='[...]'` example in the README. */
const examples = [...readme.matchAll(/ADDITIONAL_PROVIDERS='(\[[\s\S]*?\])'/g)].map(
  (match) => match[1] as string,
);

describe('the README configuration examples', () => {
  it('are there', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((example, index) => [index + 1, example]))(
    'example %i is a valid configuration',
    (_n, example) => {
      const config = parseConfig({ ADDITIONAL_PROVIDERS: example, PROXY_API_KEYS: 'k' });
      expect(config.providers.length).toBeGreaterThan(0);
      expect(config.demo).toBe(false);
    },
  );

  it('route the models they name', () => {
    const routed = examples
      .map((example) => parseConfig({ ADDITIONAL_PROVIDERS: example }))
      .find((config) => config.providers.some((provider) => provider.models !== undefined));
    expect(routed?.providers.map((provider) => provider.id)).toEqual(['fireworks', 'groq', 'local']);
  });
});

describe('the README aliases and fallbacks example', () => {
  it('is valid, and its fallback model is served by a provider', async () => {
    const { createGateway } = await import('../src/core/index.js');
    const fallbacks = /MODEL_FALLBACKS='([^']+)'/.exec(readme)?.[1];
    const providers = examples.find((example) => example.includes('"aliases"'));
    expect(fallbacks).toBeDefined();
    expect(providers).toBeDefined();
    const config = parseConfig({
      ADDITIONAL_PROVIDERS: providers,
      MODEL_FALLBACKS: fallbacks,
      PROXY_API_KEYS: 'k',
    });
    const seen: { url: string; model: string }[] = [];
    const gateway = createGateway({
      config,
      logger: () => {},
      fetch: async (url, init) => {
        seen.push({
          url,
          model: (JSON.parse(new TextDecoder().decode(init.body as Uint8Array)) as { model: string }).model,
        });
        // Every llama-70b provider is down: the fallback must take over.
        return new Response('{}', {
          status: url.includes('127.0.0.1') ? 200 : 503,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    const response = await gateway.fetch(
      new Request('http://gw/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama-70b', messages: [] }),
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-proxy-provider')).toBe('local');
    expect(seen.at(-1)?.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(new Set(seen.slice(0, -1).map((request) => request.model))).toEqual(
      new Set(['accounts/fireworks/models/llama-v3p1-70b-instruct', 'llama-3.1-70b-versatile']),
    );
  });
});

describe('the README config file example', () => {
  it('is a valid configuration with its token set', () => {
    const block = /### Config file[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const env = { FIREWORKS_API_KEY: 'fw', PROXY_API_KEYS: 'k' };
    const config = parseConfig(env, { file: { label: 'README', value: block } });
    expect(config.providers.map((provider) => [provider.id, provider.token])).toEqual([
      ['fireworks', 'fw'],
      ['vllm', undefined],
    ]);
    expect(config.strategy).toBe('least-used');
  });
});

describe('gateway.config.example.json, which the README links', () => {
  it('is linked, and a valid configuration with its tokens set', () => {
    expect(readme).toContain('](gateway.config.example.json)');
    const file = readFileSync(
      fileURLToPath(new URL('../gateway.config.example.json', import.meta.url)),
      'utf8',
    );
    const env = { FIREWORKS_API_KEY: 'fw', TOGETHER_API_KEY: 'tg', GROQ_API_KEY: 'gq', PROXY_API_KEYS: 'k' };
    const config = parseConfig(env, { file: { label: 'example', value: file } });
    expect(config.providers.map((provider) => [provider.id, provider.token])).toEqual([
      ['fireworks', 'fw'],
      ['together', 'tg'],
      ['groq', 'gq'],
      ['vllm', undefined],
    ]);
    expect(config.modelFallbacks).toEqual({ 'llama-70b': ['meta-llama/Llama-3.1-8B-Instruct'] });
  });
});

describe('the README Azure OpenAI example', () => {
  it('is a valid provider sending the key as api-key', () => {
    const match = /Azure OpenAI's v1 API: `(https:[^`]+)`, `"auth":"api-key"`/.exec(readme);
    expect(match).not.toBeNull();
    const provider = { id: 'azure', baseUrl: match?.[1], tokenEnv: 'AZURE_OPENAI_API_KEY', auth: 'api-key' };
    const config = parseConfig({
      ADDITIONAL_PROVIDERS: JSON.stringify([provider]),
      AZURE_OPENAI_API_KEY: 'az-key',
    });
    expect(config.providers).toMatchObject([{ id: 'azure', token: 'az-key', auth: 'api-key' }]);
  });
});
