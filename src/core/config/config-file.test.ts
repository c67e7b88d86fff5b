import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/gateway-error.js';
import { parseConfig } from './parse-config.js';

const SECRET = 'sk-SECRET-123';
const label = 'GATEWAY_CONFIG_FILE (gw.json)';

/** parseConfig with a config file (as JSON text, the way the Node entry hands it over). */
function withFile(file: unknown, env: Record<string, unknown> = {}) {
  return parseConfig(env, { file: { label, value: typeof file === 'string' ? file : JSON.stringify(file) } });
}

/** The one-line message parseConfig throws; it must never quote a secret. */
function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { message } = error as ConfigError;
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

const fireworks = { id: 'fireworks', baseUrl: 'https://api.fireworks.ai/inference/', tokenEnv: 'FW_KEY' };

describe('config file: reading', () => {
  it('reads every setting from the file, with the same defaults as the environment', () => {
    const config = withFile(
      {
        $schema: './schema/gateway.config.schema.json',
        providers: [
          fireworks,
          { id: 'local', baseUrl: 'http://127.0.0.1:8000', weight: 0, models: ['llama-*'] },
        ],
        modelFallbacks: { 'gpt-4o': ['llama-3.1-70b'] },
        loadBalancerStrategy: 'least-used',
        proxyApiKeys: ['k1', 'k2'],
        corsAllowedOrigins: ['https://app.example.com/'],
        maxBodyBytes: 1024,
        modelsCacheTtlMs: 0,
        breakerCooldownMs: 50,
        host: '0.0.0.0',
        port: 9000,
      },
      { FW_KEY: ` ${SECRET} ` },
    );
    expect(config.providers).toEqual([
      {
        id: 'fireworks',
        baseUrl: 'https://api.fireworks.ai/inference',
        token: SECRET,
        weight: 1,
        models: undefined,
        aliases: undefined,
        continuation: undefined,
      },
      {
        id: 'local',
        baseUrl: 'http://127.0.0.1:8000',
        token: undefined,
        weight: 0,
        models: ['llama-*'],
        aliases: undefined,
        continuation: undefined,
      },
    ]);
    expect(config).toMatchObject({
      demo: false,
      modelFallbacks: { 'gpt-4o': ['llama-3.1-70b'] },
      strategy: 'least-used',
      clientKeys: { kind: 'list', keys: ['k1', 'k2'] },
      corsOrigins: ['https://app.example.com'],
      maxBodyBytes: 1024,
      modelsCacheTtlMs: 0,
      breaker: { cooldownMs: 50, maxCooldownMs: 120_000 },
      host: '0.0.0.0',
      port: 9000,
      requestTimeoutMs: 300_000,
      maxAttempts: 2,
    });
  });

  it('takes an object as well as JSON text (a Workers [vars] table), and "*" for keys and origins', () => {
    const config = parseConfig({
      GATEWAY_CONFIG: {
        providers: [{ id: 'a', baseUrl: 'https://a.example' }],
        proxyApiKeys: '*',
        corsAllowedOrigins: '*',
      },
    });
    expect(config.providers.map((provider) => provider.id)).toEqual(['a']);
    expect(config.clientKeys).toEqual({ kind: 'any' });
    expect(config.corsOrigins).toBe('*');
  });

  it('reads GATEWAY_CONFIG as JSON text when no file is given', () => {
    const config = parseConfig({
      GATEWAY_CONFIG: ' {"providers":[{"id":"a","baseUrl":"https://a.example"}]} ',
    });
    expect(config.providers[0]?.id).toBe('a');
    expect(parseConfig({ GATEWAY_CONFIG: '  ' }).demo).toBe(true);
  });

  it('an empty file is the defaults (the demo provider)', () => {
    expect(withFile({}).demo).toBe(true);
  });
});

describe('config file: merged with the environment', () => {
  const file = {
    providers: [
      { id: 'a', baseUrl: 'https://a.example', token: 'file-a' },
      { id: 'b', baseUrl: 'https://b.example' },
    ],
    modelFallbacks: { m1: ['f1'], m2: ['f2'] },
    loadBalancerStrategy: 'random',
    maxBodyBytes: 1000,
    proxyApiKeys: ['file-key'],
    host: '0.0.0.0',
  };

  it('a variable set in the environment wins over the file; an unset or blank one does not', () => {
    const config = withFile(file, {
      LOAD_BALANCER_STRATEGY: 'ROUND_ROBIN',
      MAX_BODY_BYTES: '2000',
      PROXY_API_KEYS: ' ',
      HOST: '',
    });
    expect(config).toMatchObject({
      strategy: 'round-robin',
      maxBodyBytes: 2000,
      clientKeys: { kind: 'list', keys: ['file-key'] },
      host: '0.0.0.0',
    });
    expect(withFile(file, { PROXY_API_KEYS: 'env-key' }).clientKeys).toEqual({
      kind: 'list',
      keys: ['env-key'],
    });
  });

  it('merges providers by id: an environment provider replaces the file one in place, others follow', () => {
    const config = withFile(file, {
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'c', baseUrl: 'https://c.example' },
        { id: 'a', baseUrl: 'https://a2.example', weight: 3 },
      ]),
      DEFAULT_OPENAI_PROVIDER: 'https://default.example',
    });
    expect(
      config.providers.map(({ id, baseUrl, weight, token }) => ({ id, baseUrl, weight, token })),
    ).toEqual([
      { id: 'a', baseUrl: 'https://a2.example', weight: 3, token: undefined },
      { id: 'b', baseUrl: 'https://b.example', weight: 1, token: undefined },
      { id: 'default', baseUrl: 'https://default.example', weight: 1, token: undefined },
      { id: 'c', baseUrl: 'https://c.example', weight: 1, token: undefined },
    ]);
    expect(config.maxAttempts).toBe(4);
  });

  it('merges MODEL_FALLBACKS by model', () => {
    const config = withFile(file, { MODEL_FALLBACKS: '{"m2":["env-f2"],"m3":["env-f3"]}' });
    expect(config.modelFallbacks).toEqual({ m1: ['f1'], m2: ['env-f2'], m3: ['env-f3'] });
  });

  it('resolves tokenEnv from the environment, in ADDITIONAL_PROVIDERS too', () => {
    const config = parseConfig({
      ADDITIONAL_PROVIDERS: '[{"id":"a","baseUrl":"https://a.example","tokenEnv":"A_TOKEN"}]',
      A_TOKEN: SECRET,
    });
    expect(config.providers[0]?.token).toBe(SECRET);
  });
});

describe('config file: errors name the exact field, never a value', () => {
  it('points into providers and models', () => {
    const providers = [
      { id: 'a', baseUrl: 'https://a.example' },
      { id: 'b', baseUrl: 'https://b.example' },
      { id: 'c', baseUrl: 'https://c.example', models: ['ok', ''] },
    ];
    expect(messageOf(() => withFile({ providers }))).toBe(
      `Invalid configuration: ${label} providers[2].models[1]: must not be empty`,
    );
  });

  it.each([
    [
      { providers: [{ id: 'a', baseUrl: `https://${SECRET}@a.example` }] },
      'providers[0].baseUrl: must not contain credentials',
    ],
    [{ providers: [{ id: 'a', baseURL: 'https://a.example' }] }, 'providers[0]: unknown key "baseURL"'],
    [
      { providers: [{ id: 'a', baseUrl: 'https://a.example', weight: -1 }] },
      'providers[0].weight: must be 0 or more',
    ],
    [
      { providers: [{ id: 'a', baseUrl: 'https://a.example', token: `${SECRET} x` }] },
      'providers[0].token: must be printable ASCII',
    ],
    [
      { providers: [{ id: 'a', baseUrl: 'https://a.example', token: SECRET, tokenEnv: 'X' }] },
      'providers[0].tokenEnv: give token or tokenEnv, not both',
    ],
    [
      {
        providers: [
          { id: 'a', baseUrl: 'https://a.example' },
          { id: 'a', baseUrl: 'https://b.example' },
        ],
      },
      'providers[1].id: duplicate id "a"',
    ],
    [
      { providers: [{ id: 'a', baseUrl: 'https://a.example', tokenEnv: 'NOPE' }] },
      'providers[0].tokenEnv: names NOPE, which is not set',
    ],
    [
      { providers: [{ id: 'a', baseUrl: 'https://a.example', aliases: { x: '' } }] },
      'providers[0].aliases.x: must not be empty',
    ],
    [{ providers: {} }, 'providers: must be an array of providers'],
    [{ modelFallbacks: { m: 'f' } }, 'modelFallbacks.m: must be an array of model names'],
    [
      { loadBalancerStrategy: 'fastest' },
      'loadBalancerStrategy: must be one of round-robin, random, least-used',
    ],
    [{ maxBodyBytes: 1.5 }, 'maxBodyBytes: must be a whole number'],
    [{ maxBodyBytes: '1000' }, 'maxBodyBytes: must be a whole number'],
    [{ port: 70000 }, 'port: must be at most 65535'],
    [{ proxyApiKeys: ['*', SECRET] }, 'proxyApiKeys: use "*" alone'],
    [{ proxyApiKeys: SECRET }, 'proxyApiKeys: must be "*" or an array of keys'],
    [{ corsAllowedOrigins: [`https://${SECRET}@x.example`] }, 'corsAllowedOrigins: entry 1 is not an origin'],
    [{ maxBodySize: 10 }, `${label}: unknown key "maxBodySize"`],
    [[], `${label}: must be an object`],
  ])('%j -> %s', (file, expected) => {
    const message = messageOf(() => withFile(file));
    expect(message).toContain(expected.startsWith(label) ? expected : `${label} ${expected}`);
  });

  it('reports bad JSON without quoting it', () => {
    expect(messageOf(() => withFile(`{"providers": [{"token": "${SECRET}"`))).toBe(
      `Invalid configuration: ${label}: is not valid JSON (expected an object like {"providers":[{"id":"a","baseUrl":"https://…"}]})`,
    );
  });

  it('names the environment variable when a tokenEnv value is bad', () => {
    const file = { providers: [{ id: 'a', baseUrl: 'https://a.example', tokenEnv: 'A_TOKEN' }] };
    expect(messageOf(() => withFile(file, { A_TOKEN: `${SECRET} x` }))).toMatch(
      /^Invalid configuration: A_TOKEN: must be printable ASCII/,
    );
  });

  it('reports file and environment problems together', () => {
    const message = messageOf(() => withFile({ port: -1 }, { MAX_ATTEMPTS: '0' }));
    expect(message).toContain('MAX_ATTEMPTS: must be at least 1');
    expect(message).toContain(`${label} port: must be at least 0`);
  });

  it('refuses GATEWAY_CONFIG and a file together, and GATEWAY_CONFIG_FILE where files cannot be read', () => {
    expect(messageOf(() => withFile({}, { GATEWAY_CONFIG: '{}' }))).toBe(
      `Invalid configuration: GATEWAY_CONFIG: set it or ${label}, not both`,
    );
    expect(messageOf(() => parseConfig({ GATEWAY_CONFIG_FILE: 'gw.json' }))).toMatch(
      /GATEWAY_CONFIG_FILE: files cannot be read on this runtime; give the JSON as GATEWAY_CONFIG/,
    );
    expect(messageOf(() => parseConfig({ GATEWAY_CONFIG: '{"port":"x"}' }))).toBe(
      'Invalid configuration: GATEWAY_CONFIG port: must be a whole number',
    );
  });

  it('names an unknown key only when it looks like a name, so a pasted secret is not repeated', () => {
    expect(messageOf(() => withFile({ [SECRET]: 1, maxBodySize: 2 }))).toBe(
      `Invalid configuration: ${label}: unknown keys (not a name), "maxBodySize"`,
    );
  });

  it('takes CORS_ALLOWED_ORIGINS of separators only as unset, leaving the file its origins', () => {
    const config = withFile({ corsAllowedOrigins: ['https://app.example'] }, { CORS_ALLOWED_ORIGINS: ' , ' });
    expect(config.corsOrigins).toEqual(['https://app.example']);
    expect(parseConfig({ CORS_ALLOWED_ORIGINS: ',' }).corsOrigins).toBe('*');
  });
});
