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
    expect(response.headers.get('x-proxy-provider')).toBe('vllm');
    expect(seen.at(-1)?.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(new Set(seen.slice(0, -1).map((request) => request.model))).toEqual(
      new Set([
        'accounts/fireworks/models/llama-v3p1-70b-instruct',
        'meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo',
        'llama-3.1-70b-versatile',
      ]),
    );
  });
});

describe('the README config file example', () => {
  it('is gateway.config.example.json, and a valid configuration with its tokens set', () => {
    const block = /### Config file[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const file = readFileSync(
      fileURLToPath(new URL('../gateway.config.example.json', import.meta.url)),
      'utf8',
    );
    expect(block).toBe(file);
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
  it('is a valid config file sending the key as api-key', () => {
    const block = /### Provider headers[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const config = parseConfig(
      { AZURE_OPENAI_API_KEY: 'az-key' },
      { file: { label: 'README', value: block } },
    );
    expect(config.providers).toMatchObject([
      { id: 'azure', token: 'az-key', auth: 'api-key', headers: { 'x-ms-useragent': 'openai-gateway' } },
    ]);
  });
});
