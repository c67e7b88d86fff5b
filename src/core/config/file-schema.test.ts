import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { configFileJsonSchema } from './file-schema.js';
import { parseConfig } from './parse-config.js';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'));
const published = read('schema/gateway.config.schema.json') as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(published);

/** Whether the gateway itself accepts the file (the tokens its tokenEnv names set). */
function gatewayAccepts(file: unknown): boolean {
  try {
    parseConfig(
      { FIREWORKS_API_KEY: 'fw', TOGETHER_API_KEY: 'tg', GROQ_API_KEY: 'gq' },
      { file: { label: 'f', value: file } },
    );
    return true;
  } catch {
    return false;
  }
}

const a = { id: 'a', baseUrl: 'https://a.example' };

describe('the published JSON Schema', () => {
  it('is the one generated from the schema that validates config files (run `npm run schema` after a change)', () => {
    expect(published).toEqual(configFileJsonSchema());
  });

  it('accepts the example config file, as the gateway does', () => {
    const example = read('gateway.config.example.json');
    expect(validate(example)).toBe(true);
    expect(gatewayAccepts(example)).toBe(true);
  });

  it.each([
    [
      'every setting',
      {
        providers: [{ ...a, token: 't', weight: 2, models: ['m*'], aliases: { x: 'y' } }],
        modelFallbacks: { m: ['n'] },
        loadBalancerStrategy: 'random',
        proxyApiKeys: '*',
        corsAllowedOrigins: ['https://app.example'],
        host: '0.0.0.0',
        port: 0,
        maxBodyBytes: 1,
        modelsCacheTtlMs: 0,
      },
    ],
    ['nothing', {}],
  ])('agrees with the gateway on a valid file: %s', (_name, file) => {
    expect(validate(file)).toBe(true);
    expect(gatewayAccepts(file)).toBe(true);
  });

  it.each([
    ['an unknown key', { maxBodySize: 1 }],
    ['an unknown provider key', { providers: [{ ...a, baseURL: 'x' }] }],
    ['a provider without baseUrl', { providers: [{ id: 'a' }] }],
    ['a bad id', { providers: [{ ...a, id: 'a b' }] }],
    ['a negative weight', { providers: [{ ...a, weight: -1 }] }],
    ['an empty model name', { providers: [{ ...a, models: [''] }] }],
    ['models as a string', { providers: [{ ...a, models: 'm' }] }],
    ['a token with a space', { providers: [{ ...a, token: 'a b' }] }],
    ['a bad tokenEnv', { providers: [{ ...a, tokenEnv: '1X' }] }],
    ['a fallback that is not a list', { modelFallbacks: { m: 'n' } }],
    ['an unknown strategy', { loadBalancerStrategy: 'fastest' }],
    ['a fractional number', { maxBodyBytes: 1.5 }],
    ['a number as text', { port: '80' }],
    ['a port out of range', { port: 65_536 }],
    ['keys as a string', { proxyApiKeys: 'k' }],
    ['a bad host', { host: 'a b' }],
    ['an array', []],
  ])('agrees with the gateway on an invalid file: %s', (_name, file) => {
    expect(validate(file)).toBe(false);
    expect(gatewayAccepts(file)).toBe(false);
  });

  // What JSON Schema cannot say: the gateway refuses these, editors will not flag them.
  it.each([
    ['a base URL that is not a URL', { providers: [{ ...a, baseUrl: 'not a url' }] }],
    ['duplicate ids', { providers: [a, a] }],
    ['token and tokenEnv together', { providers: [{ ...a, token: 't', tokenEnv: 'T' }] }],
    ['"*" among keys', { proxyApiKeys: ['*', 'k'] }],
    ['an origin with a path', { corsAllowedOrigins: ['https://app.example/x'] }],
  ])('the gateway alone refuses: %s', (_name, file) => {
    expect(validate(file)).toBe(true);
    expect(gatewayAccepts(file)).toBe(false);
  });
});
