import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/gateway-error.js';
import { clientKeyOf } from './access.js';
import { parseConfig } from './parse-config.js';
import { DEFAULT_PROVIDER_ID, DEMO_PROVIDER } from './schema.js';

const MIB = 1024 * 1024;
const SECRET = 'sk-SECRET-123';

/** Runs parseConfig and returns the ConfigError it must throw. */
function configError(env: Readonly<Record<string, unknown>>): ConfigError {
  let thrown: unknown;
  try {
    parseConfig(env);
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error('expected parseConfig to throw, it returned a config');
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

/** A config error message is one line, has no stack-like text and never quotes a secret. */
function expectCleanMessage(message: string, secrets: readonly string[] = []): void {
  expect(message).not.toContain('\n');
  expect(message).not.toContain('\r');
  expect(message).not.toContain('    at ');
  for (const secret of secrets) expect(message).not.toContain(secret);
}

describe('parseConfig: defaults', () => {
  it('serves the demo provider with every default when nothing is configured', () => {
    expect(parseConfig({})).toEqual({
      providers: [DEMO_PROVIDER],
      demo: true,
      modelFallbacks: {},
      strategy: 'round-robin',
      clientKeys: { kind: 'unset' },
      corsOrigins: '*',
      maxBodyBytes: 50 * MIB,
      upstreamHeadersTimeoutMs: 30_000,
      requestTimeoutMs: 300_000,
      firstTokenTimeoutMs: 15_000,
      streamIdleTimeoutMs: 20_000,
      maxAttempts: 2,
      breaker: { failureThreshold: 3, cooldownMs: 5_000, maxCooldownMs: 120_000 },
      maxFirstEventBytes: MIB,
      maxHeldBodyBytes: 8 * MIB,
      maxDecodedBodyBytes: 64 * MIB,
      clientHeadersTimeoutMs: 30_000,
      clientBodyTimeoutMs: 30_000,
      maxConnections: 4096,
      maxConcurrentRequestsPerKey: 1024,
      maxOpenStreamsPerKey: 512,
      modelsCacheTtlMs: 300_000,
      shutdownGraceMs: 10_000,
      store: { engine: 'memory' },
      storeFailMode: 'closed',
      storeTimeoutMs: 1_000,
      host: '127.0.0.1',
      port: 8787,
      prices: {},
    });
  });

  it('tries every provider once by default, and at least twice in all', () => {
    const three = JSON.stringify(['a', 'b', 'c'].map((id) => ({ id, baseUrl: `https://${id}.example` })));
    expect(parseConfig({ ADDITIONAL_PROVIDERS: three }).maxAttempts).toBe(3);
    expect(parseConfig({ DEFAULT_OPENAI_PROVIDER: 'https://a.example' }).maxAttempts).toBe(2);
    expect(parseConfig({ ADDITIONAL_PROVIDERS: three, MAX_ATTEMPTS: '5' }).maxAttempts).toBe(5);
  });

  it('reads the resilience settings', () => {
    const config = parseConfig({
      FIRST_TOKEN_TIMEOUT_MS: '100',
      STREAM_IDLE_TIMEOUT_MS: '200',
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_COOLDOWN_MS: '300',
      BREAKER_MAX_COOLDOWN_MS: '900',
      SHUTDOWN_GRACE_MS: '0',
    });
    expect(config).toMatchObject({
      firstTokenTimeoutMs: 100,
      streamIdleTimeoutMs: 200,
      breaker: { failureThreshold: 2, cooldownMs: 300, maxCooldownMs: 900 },
      shutdownGraceMs: 0,
    });
    expect(() => parseConfig({ MAX_ATTEMPTS: '0' })).toThrow('MAX_ATTEMPTS: must be at least 1');
  });

  it('gives exact default numbers', () => {
    const config = parseConfig({});
    expect(config.maxBodyBytes).toBe(52_428_800);
    expect(config.upstreamHeadersTimeoutMs).toBe(30000);
    expect(config.requestTimeoutMs).toBe(300000);
    expect(config.port).toBe(8787);
  });

  it('exports a demo provider with id demo, weight 1 and no token', () => {
    expect(DEMO_PROVIDER).toEqual({
      id: 'demo',
      baseUrl: 'http://demo.invalid',
      token: undefined,
      weight: 1,
    });
  });

  it('ignores unrelated environment variables', () => {
    const config = parseConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'production' });
    expect(config.demo).toBe(true);
    expect(config.providers).toEqual([DEMO_PROVIDER]);
  });

  it('treats empty and whitespace-only values as unset', () => {
    const config = parseConfig({
      DEFAULT_OPENAI_PROVIDER: '',
      DEFAULT_OPENAI_TOKEN: '   ',
      ADDITIONAL_PROVIDERS: ' ',
      LOAD_BALANCER_STRATEGY: '',
      CORS_ALLOWED_ORIGINS: '  ',
      MAX_BODY_BYTES: '',
      PORT: '\t',
      HOST: '',
    });
    expect(config).toEqual(parseConfig({}));
  });

  it('ignores undefined values like an absent variable', () => {
    expect(parseConfig({ DEFAULT_OPENAI_PROVIDER: undefined, PORT: undefined })).toEqual(parseConfig({}));
  });

  it('uses the demo provider when ADDITIONAL_PROVIDERS is an empty array', () => {
    const config = parseConfig({ ADDITIONAL_PROVIDERS: '[]' });
    expect(config.demo).toBe(true);
    expect(config.providers).toEqual([DEMO_PROVIDER]);
  });
});

describe('parseConfig: DEFAULT_OPENAI_PROVIDER', () => {
  it('becomes provider "default" with weight 1 and the token', () => {
    const config = parseConfig({
      DEFAULT_OPENAI_PROVIDER: 'https://api.fireworks.ai/inference',
      DEFAULT_OPENAI_TOKEN: 'fw_abc',
    });
    expect(DEFAULT_PROVIDER_ID).toBe('default');
    expect(config.demo).toBe(false);
    expect(config.providers).toEqual([
      { id: 'default', baseUrl: 'https://api.fireworks.ai/inference', token: 'fw_abc', weight: 1 },
    ]);
  });

  it('drops a trailing slash', () => {
    const config = parseConfig({ DEFAULT_OPENAI_PROVIDER: 'https://api.example.com/v1/' });
    expect(config.providers[0]?.baseUrl).toBe('https://api.example.com/v1');
  });

  it('drops the lone slash of a bare origin', () => {
    const config = parseConfig({ DEFAULT_OPENAI_PROVIDER: 'https://api.example.com/' });
    expect(config.providers[0]?.baseUrl).toBe('https://api.example.com');
  });

  it('drops several trailing slashes and surrounding spaces', () => {
    const config = parseConfig({ DEFAULT_OPENAI_PROVIDER: '  http://localhost:11434/api//  ' });
    expect(config.providers[0]?.baseUrl).toBe('http://localhost:11434/api');
  });

  it('works without a token (token undefined)', () => {
    const config = parseConfig({ DEFAULT_OPENAI_PROVIDER: 'http://127.0.0.1:8000' });
    expect(config.providers).toEqual([
      { id: 'default', baseUrl: 'http://127.0.0.1:8000', token: undefined, weight: 1 },
    ]);
  });

  it('trims the token', () => {
    const config = parseConfig({
      DEFAULT_OPENAI_PROVIDER: 'https://a.example',
      DEFAULT_OPENAI_TOKEN: ' tok \n',
    });
    expect(config.providers[0]?.token).toBe('tok');
  });
});

describe('parseConfig: ADDITIONAL_PROVIDERS', () => {
  it('parses a JSON string, defaulting weight to 1', () => {
    const config = parseConfig({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'groq', baseUrl: 'https://api.groq.com/openai/v1/', token: 'gsk_1', weight: 3 },
        { id: 'local', baseUrl: 'http://localhost:8080' },
      ]),
    });
    expect(config.demo).toBe(false);
    expect(config.providers).toEqual([
      { id: 'groq', baseUrl: 'https://api.groq.com/openai/v1', token: 'gsk_1', weight: 3 },
      { id: 'local', baseUrl: 'http://localhost:8080', token: undefined, weight: 1 },
    ]);
  });

  it('accepts an already parsed array (Workers vars)', () => {
    const config = parseConfig({
      ADDITIONAL_PROVIDERS: [
        { id: 'a', baseUrl: 'https://a.example', token: 'ta' },
        { id: 'b', baseUrl: 'https://b.example', weight: 0 },
      ],
    });
    expect(config.providers).toEqual([
      { id: 'a', baseUrl: 'https://a.example', token: 'ta', weight: 1 },
      { id: 'b', baseUrl: 'https://b.example', token: undefined, weight: 0 },
    ]);
  });

  it('puts the default provider first, then the additional ones in order', () => {
    const config = parseConfig({
      DEFAULT_OPENAI_PROVIDER: 'https://main.example',
      ADDITIONAL_PROVIDERS: '[{"id":"x","baseUrl":"https://x.example","weight":2.5}]',
    });
    expect(config.providers.map((provider) => [provider.id, provider.weight])).toEqual([
      ['default', 1],
      ['x', 2.5],
    ]);
  });

  it('accepts the id "default" when DEFAULT_OPENAI_PROVIDER is not set', () => {
    const config = parseConfig({ ADDITIONAL_PROVIDERS: '[{"id":"default","baseUrl":"https://d.example"}]' });
    expect(config.providers.map((provider) => provider.id)).toEqual(['default']);
  });

  it('accepts ids with letters, digits, dot, underscore and dash', () => {
    const config = parseConfig({
      ADDITIONAL_PROVIDERS: [{ id: 'Open.AI_2-eu', baseUrl: 'https://e.example' }],
    });
    expect(config.providers[0]?.id).toBe('Open.AI_2-eu');
  });
});

describe('parseConfig: LOAD_BALANCER_STRATEGY', () => {
  it.each([
    ['round-robin', 'round-robin'],
    ['ROUND_ROBIN', 'round-robin'],
    ['Round-Robin', 'round-robin'],
    ['round_robin', 'round-robin'],
    ['random', 'random'],
    ['RANDOM', 'random'],
    ['Random', 'random'],
    ['least-used', 'least-used'],
    ['LEAST_USED', 'least-used'],
    ['Least_Used', 'least-used'],
    [' least-used ', 'least-used'],
  ])('reads %j as %s', (value, expected) => {
    expect(parseConfig({ LOAD_BALANCER_STRATEGY: value }).strategy).toBe(expected);
  });

  it('rejects an unknown strategy, naming the variable and the choices', () => {
    const error = configError({ LOAD_BALANCER_STRATEGY: 'fastest' });
    expect(error.message).toContain('LOAD_BALANCER_STRATEGY:');
    expect(error.message).toContain('round-robin, random, least-used');
    expectCleanMessage(error.message);
  });

  it('rejects inherited object keys such as "constructor"', () => {
    const error = configError({ LOAD_BALANCER_STRATEGY: 'constructor' });
    expect(error.message).toContain('LOAD_BALANCER_STRATEGY:');
  });
});

describe('parseConfig: PROXY_API_KEYS', () => {
  it('reads a comma-separated list, trimming spaces and dropping empty items', () => {
    expect(parseConfig({ PROXY_API_KEYS: ' k1 , k2,,k3 ' }).clientKeys).toEqual({
      kind: 'list',
      keys: ['k1', 'k2', 'k3'].map((key) => clientKeyOf(key)),
    });
  });

  it('reads a single key', () => {
    expect(parseConfig({ PROXY_API_KEYS: 'only' }).clientKeys).toEqual({
      kind: 'list',
      keys: ['only'].map((key) => clientKeyOf(key)),
    });
  });

  it('reads name:key entries (the first ":" separates) and derives a name for a plain key', () => {
    const { clientKeys } = parseConfig({ PROXY_API_KEYS: 'team-a:sk-a:with-colon, plain, not-a-name!:x' });
    expect(clientKeys).toMatchObject({
      kind: 'list',
      keys: [
        { name: 'team-a', secret: 'sk-a:with-colon' },
        { name: expect.stringMatching(/^key-[0-9a-f]{8}$/), secret: 'plain' },
        { name: expect.stringMatching(/^key-[0-9a-f]{8}$/), secret: 'not-a-name!:x' },
      ],
    });
  });

  it('refuses a name without a key and a name given twice, quoting no key', () => {
    expect(configError({ PROXY_API_KEYS: 'team-a:' }).message).toContain(
      'PROXY_API_KEYS: entry 1 has a name but no key',
    );
    const twice = configError({ PROXY_API_KEYS: `a:${SECRET},a:other` }).message;
    expect(twice).toContain('PROXY_API_KEYS: duplicate key name "a"');
    expect(twice).not.toContain(SECRET);
  });

  it('treats an empty value as unset', () => {
    expect(parseConfig({ PROXY_API_KEYS: '' }).clientKeys).toEqual({ kind: 'unset' });
  });

  it('treats a whitespace-only value as unset', () => {
    expect(parseConfig({ PROXY_API_KEYS: '  \t ' }).clientKeys).toEqual({ kind: 'unset' });
  });

  it('reads "*" as any key', () => {
    expect(parseConfig({ PROXY_API_KEYS: '*' }).clientKeys).toEqual({ kind: 'any', keys: [] });
    expect(parseConfig({ PROXY_API_KEYS: ' * ' }).clientKeys).toEqual({ kind: 'any', keys: [] });
  });

  it('rejects "*" mixed with keys, without quoting the keys', () => {
    const error = configError({ PROXY_API_KEYS: `*,${SECRET}` });
    expect(error.message).toContain('PROXY_API_KEYS:');
    expect(error.message).toContain('"*" alone');
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a key with an inner space, without quoting it', () => {
    const error = configError({ PROXY_API_KEYS: 'good, sk-SECRET 123' });
    expect(error.message).toContain('PROXY_API_KEYS:');
    expectCleanMessage(error.message, ['sk-SECRET', 'SECRET 123']);
  });
});

describe('parseConfig: CORS_ALLOWED_ORIGINS', () => {
  it('keeps "*" alone', () => {
    expect(parseConfig({ CORS_ALLOWED_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it('normalises a list of origins, dropping a trailing slash', () => {
    expect(
      parseConfig({
        CORS_ALLOWED_ORIGINS: 'https://app.example.com/, http://localhost:3000 ,https://b.example',
      }).corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:3000', 'https://b.example']);
  });

  it.each([
    'app.example.com',
    'https://app.example.com/path',
    'https://app.example.com?x=1',
    'not a url',
    '*,https://a.example',
    'file:///etc/passwd',
  ])('rejects %j', (value) => {
    const error = configError({ CORS_ALLOWED_ORIGINS: value });
    expect(error.message).toMatch(/^Invalid configuration: CORS_ALLOWED_ORIGINS: /);
    expectCleanMessage(error.message);
  });

  it('rejects an origin with credentials without quoting the password', () => {
    const error = configError({ CORS_ALLOWED_ORIGINS: 'https://user:p4ss@app.example.com' });
    expect(error.message).toContain('CORS_ALLOWED_ORIGINS:');
    expectCleanMessage(error.message, ['p4ss']);
  });

  it('keeps the message on one line when origins are separated by newlines', () => {
    const error = configError({ CORS_ALLOWED_ORIGINS: 'https://a.example\nhttps://b.example' });
    expect(error.message).toContain('CORS_ALLOWED_ORIGINS:');
    expectCleanMessage(error.message);
  });
});

describe('parseConfig: numbers and host', () => {
  it('reads numeric strings', () => {
    const config = parseConfig({
      MAX_BODY_BYTES: '1024',
      UPSTREAM_HEADERS_TIMEOUT_MS: '5000',
      REQUEST_TIMEOUT_MS: ' 60000 ',
      PORT: '0',
      HOST: '0.0.0.0',
    });
    expect(config.maxBodyBytes).toBe(1024);
    expect(config.upstreamHeadersTimeoutMs).toBe(5000);
    expect(config.requestTimeoutMs).toBe(60000);
    expect(config.port).toBe(0);
    expect(config.host).toBe('0.0.0.0');
  });

  it('accepts the bounds themselves', () => {
    const config = parseConfig({ PORT: '65535', MAX_BODY_BYTES: String(1024 * MIB) });
    expect(config.port).toBe(65535);
    expect(config.maxBodyBytes).toBe(1024 * MIB);
  });

  it.each(['::', '[::1]', 'localhost', 'gw-1.internal'])('accepts HOST %j', (host) => {
    expect(parseConfig({ HOST: host }).host).toBe(host);
  });

  it.each([
    ['PORT', 'abc', 'must be a whole number'],
    ['PORT', '80.5', 'must be a whole number'],
    ['PORT', '-1', 'must be a whole number'],
    ['PORT', '65536', 'must be at most 65535'],
    ['MAX_BODY_BYTES', '50MB', 'must be a whole number'],
    ['MAX_BODY_BYTES', '1e6', 'must be a whole number'],
    ['MAX_BODY_BYTES', '0', 'must be at least 1'],
    ['MAX_BODY_BYTES', String(1024 * MIB + 1), `must be at most ${1024 * MIB}`],
    ['UPSTREAM_HEADERS_TIMEOUT_MS', '0', 'must be at least 1'],
    ['UPSTREAM_HEADERS_TIMEOUT_MS', '3600001', 'must be at most 3600000'],
    ['REQUEST_TIMEOUT_MS', 'soon', 'must be a whole number'],
    ['REQUEST_TIMEOUT_MS', String(24 * 3_600_000 + 1), `must be at most ${24 * 3_600_000}`],
  ])('rejects %s=%j', (name, value, reason) => {
    const error = configError({ [name]: value });
    expect(error.message).toBe(`Invalid configuration: ${name}: ${reason}`);
    expectCleanMessage(error.message);
  });

  it('rejects a HOST with a slash or a space', () => {
    const error = configError({ HOST: 'http://x' });
    expect(error.message).toBe('Invalid configuration: HOST: must be a host name or IP address');
    expect(configError({ HOST: 'a b' }).message).toContain('HOST:');
  });
});

describe('parseConfig: provider errors', () => {
  it('rejects bad JSON without quoting it (token included)', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: `[{"id":"a","baseUrl":"https://a.example","token":"${SECRET}"`,
    });
    expect(error.message).toMatch(/^Invalid configuration: ADDITIONAL_PROVIDERS: is not valid JSON/);
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects JSON that quotes a token in an invalid place', () => {
    const error = configError({ ADDITIONAL_PROVIDERS: `{${SECRET}}` });
    expect(error.message).toContain('ADDITIONAL_PROVIDERS: is not valid JSON');
    expectCleanMessage(error.message, [SECRET, 'SECRET']);
  });

  it.each(['{"id":"a","baseUrl":"https://a.example"}', '"https://a.example"', '42', 'null'])(
    'rejects a JSON value that is not an array: %s',
    (value) => {
      const error = configError({ ADDITIONAL_PROVIDERS: value });
      expect(error.message).toMatch(/^Invalid configuration: ADDITIONAL_PROVIDERS: must be a JSON array/);
      expectCleanMessage(error.message);
    },
  );

  it('rejects a parsed object that is not an array (Workers vars)', () => {
    const error = configError({ ADDITIONAL_PROVIDERS: { id: 'a', baseUrl: 'https://a.example' } });
    expect(error.message).toMatch(/^Invalid configuration: ADDITIONAL_PROVIDERS: must be a JSON array/);
  });

  it('rejects an entry that is not an object, naming its index', () => {
    const error = configError({ ADDITIONAL_PROVIDERS: `["${SECRET}"]` });
    expect(error.message).toMatch(/^Invalid configuration: ADDITIONAL_PROVIDERS\[0\]: /);
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a negative weight with the exact path', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: 'https://a.example', token: SECRET },
        { id: 'b', baseUrl: 'https://b.example', token: SECRET, weight: -1 },
      ]),
    });
    expect(error.message).toBe('Invalid configuration: ADDITIONAL_PROVIDERS[1].weight: must be 0 or more');
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a weight above 1000000', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: [{ id: 'a', baseUrl: 'https://a.example', weight: 1_000_001 }],
    });
    expect(error.message).toBe(
      'Invalid configuration: ADDITIONAL_PROVIDERS[0].weight: must be at most 1000000',
    );
  });

  it('rejects a weight given as a string', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: 'https://a.example' },
        { id: 'b', baseUrl: 'https://b.example', token: SECRET, weight: '2' },
      ]),
    });
    expect(error.message).toBe('Invalid configuration: ADDITIONAL_PROVIDERS[1].weight: must be a number');
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a missing baseUrl as required', () => {
    const error = configError({ ADDITIONAL_PROVIDERS: `[{"id":"a","token":"${SECRET}"}]` });
    expect(error.message).toBe('Invalid configuration: ADDITIONAL_PROVIDERS[0].baseUrl: is required');
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a missing id as required', () => {
    const error = configError({ ADDITIONAL_PROVIDERS: '[{"baseUrl":"https://a.example"}]' });
    expect(error.message).toBe('Invalid configuration: ADDITIONAL_PROVIDERS[0].id: is required');
  });

  it('rejects an unknown key such as baseURL, naming the key', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: `[{"id":"a","baseURL":"https://a.example","token":"${SECRET}"}]`,
    });
    expect(error.message).toBe(
      'Invalid configuration: ADDITIONAL_PROVIDERS[0].baseUrl: is required; ADDITIONAL_PROVIDERS[0]: unknown key "baseURL"',
    );
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a bad URL without quoting it', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: JSON.stringify([{ id: 'a', baseUrl: `not a url ${SECRET}`, token: SECRET }]),
    });
    expect(error.message).toBe(
      'Invalid configuration: ADDITIONAL_PROVIDERS[0].baseUrl: is not a valid URL (expected e.g. https://api.fireworks.ai/inference)',
    );
    expectCleanMessage(error.message, [SECRET]);
  });

  it.each(['ftp://files.example/v1', 'file:///etc/passwd', 'javascript:alert(1)', 'ws://a.example'])(
    'rejects the non-http(s) URL %s',
    (url) => {
      const error = configError({ ADDITIONAL_PROVIDERS: [{ id: 'a', baseUrl: url }] });
      expect(error.message).toBe(
        'Invalid configuration: ADDITIONAL_PROVIDERS[0].baseUrl: must start with http:// or https://',
      );
    },
  );

  it('rejects a URL with credentials without quoting them', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: 'https://a.example' },
        { id: 'b', baseUrl: 'https://user:p4ss@b.example/v1' },
      ]),
    });
    expect(error.message).toBe(
      'Invalid configuration: ADDITIONAL_PROVIDERS[1].baseUrl: must not contain credentials: give the token separately',
    );
    expectCleanMessage(error.message, ['p4ss', 'user:']);
  });

  it('rejects a URL with only a user name as credentials', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: [{ id: 'a', baseUrl: `https://${SECRET}@a.example` }],
    });
    expect(error.message).toContain('ADDITIONAL_PROVIDERS[0].baseUrl: must not contain credentials');
    expectCleanMessage(error.message, [SECRET]);
  });

  it.each([
    `https://a.example/v1?api_key=${SECRET}`,
    'https://a.example/v1?',
    `https://a.example/v1#${SECRET}`,
    'https://a.example/v1#',
  ])('rejects a URL with a query or fragment: %s', (url) => {
    const error = configError({ ADDITIONAL_PROVIDERS: [{ id: 'a', baseUrl: url }] });
    expect(error.message).toBe(
      'Invalid configuration: ADDITIONAL_PROVIDERS[0].baseUrl: must not contain a query string or fragment',
    );
    expectCleanMessage(error.message, [SECRET]);
  });

  it.each(['', '-a', '.a', 'has space', 'a/b', 'x'.repeat(65), 'émoji'])('rejects the id %j', (id) => {
    const error = configError({ ADDITIONAL_PROVIDERS: [{ id, baseUrl: 'https://a.example' }] });
    expect(error.message).toMatch(
      /^Invalid configuration: ADDITIONAL_PROVIDERS\[0\]\.id: must be 1-64 letters/,
    );
  });

  it('accepts a 64-character id', () => {
    const id = 'x'.repeat(64);
    expect(
      parseConfig({ ADDITIONAL_PROVIDERS: [{ id, baseUrl: 'https://a.example' }] }).providers[0]?.id,
    ).toBe(id);
  });

  it('rejects a duplicate id, naming the second one', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: 'https://a.example', token: SECRET },
        { id: 'b', baseUrl: 'https://b.example' },
        { id: 'a', baseUrl: 'https://c.example', token: SECRET },
      ]),
    });
    expect(error.message).toBe('Invalid configuration: ADDITIONAL_PROVIDERS[2].id: duplicate id "a"');
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects the id "default" when DEFAULT_OPENAI_PROVIDER is set, and says why', () => {
    const error = configError({
      DEFAULT_OPENAI_PROVIDER: 'https://main.example',
      DEFAULT_OPENAI_TOKEN: SECRET,
      ADDITIONAL_PROVIDERS: '[{"id":"default","baseUrl":"https://other.example"}]',
    });
    expect(error.message).toBe(
      'Invalid configuration: ADDITIONAL_PROVIDERS[0].id: duplicate id "default" (the provider of DEFAULT_OPENAI_PROVIDER is "default")',
    );
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a provider token with spaces without quoting it', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'a', baseUrl: 'https://a.example', token: 'sk-SECRET 123' },
      ]),
    });
    expect(error.message).toMatch(
      /^Invalid configuration: ADDITIONAL_PROVIDERS\[0\]\.token: must be printable ASCII/,
    );
    expectCleanMessage(error.message, ['sk-SECRET', 'SECRET 123']);
  });

  it('rejects a provider token that is not a string without quoting it', () => {
    const error = configError({
      ADDITIONAL_PROVIDERS: [{ id: 'a', baseUrl: 'https://a.example', token: 123456789 }],
    });
    expect(error.message).toMatch(/^Invalid configuration: ADDITIONAL_PROVIDERS\[0\]\.token: /);
    expectCleanMessage(error.message, ['123456789']);
  });

  it('lists several problems in one line, separated by "; "', () => {
    const error = configError({
      PORT: 'x',
      ADDITIONAL_PROVIDERS: [{ id: 'a', baseUrl: 'https://a.example', weight: -2 }],
    });
    expect(error.message).toContain('ADDITIONAL_PROVIDERS[0].weight: must be 0 or more');
    expect(error.message).toContain('PORT: must be a whole number');
    expect(error.message).toContain('; ');
    expectCleanMessage(error.message);
  });
});

describe('parseConfig: DEFAULT_OPENAI_PROVIDER / DEFAULT_OPENAI_TOKEN errors', () => {
  it('rejects DEFAULT_OPENAI_TOKEN without DEFAULT_OPENAI_PROVIDER, without quoting the token', () => {
    const error = configError({ DEFAULT_OPENAI_TOKEN: SECRET });
    expect(error.message).toBe(
      'Invalid configuration: DEFAULT_OPENAI_PROVIDER: is required when DEFAULT_OPENAI_TOKEN is set',
    );
    expectCleanMessage(error.message, [SECRET]);
  });

  it('rejects a token with spaces without quoting it', () => {
    const error = configError({
      DEFAULT_OPENAI_PROVIDER: 'https://a.example',
      DEFAULT_OPENAI_TOKEN: 'sk-SECRET 123',
    });
    expect(error.message).toMatch(/^Invalid configuration: DEFAULT_OPENAI_TOKEN: must be printable ASCII/);
    expectCleanMessage(error.message, ['sk-SECRET', 'SECRET 123']);
  });

  it('rejects a token with a non-ASCII character without quoting it', () => {
    const error = configError({
      DEFAULT_OPENAI_PROVIDER: 'https://a.example',
      DEFAULT_OPENAI_TOKEN: 'sk-SECRET-é',
    });
    expect(error.message).toContain('DEFAULT_OPENAI_TOKEN:');
    expectCleanMessage(error.message, ['sk-SECRET']);
  });

  it('rejects a provider URL with credentials without quoting them', () => {
    const error = configError({
      DEFAULT_OPENAI_PROVIDER: 'https://user:p4ss@api.example.com/v1',
      DEFAULT_OPENAI_TOKEN: SECRET,
    });
    expect(error.message).toBe(
      'Invalid configuration: DEFAULT_OPENAI_PROVIDER: must not contain credentials: give the token separately',
    );
    expectCleanMessage(error.message, ['p4ss', SECRET]);
  });

  it('rejects a provider URL without a scheme', () => {
    const error = configError({ DEFAULT_OPENAI_PROVIDER: 'api.example.com/v1' });
    expect(error.message).toBe(
      'Invalid configuration: DEFAULT_OPENAI_PROVIDER: is not a valid URL (expected e.g. https://api.fireworks.ai/inference)',
    );
  });

  it('rejects a provider URL carrying a key in its query, without quoting it', () => {
    const error = configError({ DEFAULT_OPENAI_PROVIDER: `https://api.example.com/v1?key=${SECRET}` });
    expect(error.message).toBe(
      'Invalid configuration: DEFAULT_OPENAI_PROVIDER: must not contain a query string or fragment',
    );
    expectCleanMessage(error.message, [SECRET]);
  });

  it('has the ConfigError status, type and code', () => {
    const error = configError({ DEFAULT_OPENAI_TOKEN: SECRET });
    expect(error.name).toBe('ConfigError');
    expect(error.status).toBe(500);
    expect(error.type).toBe('server_error');
    expect(error.code).toBe('invalid_configuration');
  });
});

describe('values as Workers may give them', () => {
  it('treats a PROXY_API_KEYS of only separators as unset', () => {
    expect(parseConfig({ PROXY_API_KEYS: ' , ,' }).clientKeys).toEqual({ kind: 'unset' });
  });

  it('accepts numbers for numeric variables', () => {
    const config = parseConfig({ MAX_BODY_BYTES: 1000, PORT: 9000, UPSTREAM_HEADERS_TIMEOUT_MS: 50 });
    expect([config.maxBodyBytes, config.port, config.upstreamHeadersTimeoutMs]).toEqual([1000, 9000, 50]);
  });
});

describe('provider models', () => {
  it('keeps a provider models list, and leaves it undefined (any model) without one', () => {
    const config = parseConfig({
      DEFAULT_OPENAI_PROVIDER: 'https://a.example',
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'b', baseUrl: 'https://b.example', models: ['gpt-4o', 'llama-*'] },
      ]),
    });
    expect(config.providers.map((provider) => provider.models)).toEqual([undefined, ['gpt-4o', 'llama-*']]);
  });

  it('names the exact field of a bad models entry', () => {
    expect(() =>
      parseConfig({
        ADDITIONAL_PROVIDERS: JSON.stringify([{ id: 'b', baseUrl: 'https://b.example', models: 'gpt-4o' }]),
      }),
    ).toThrow('ADDITIONAL_PROVIDERS[0].models: must be an array of model names');
    expect(() =>
      parseConfig({
        ADDITIONAL_PROVIDERS: JSON.stringify([{ id: 'b', baseUrl: 'https://b.example', models: ['a', ''] }]),
      }),
    ).toThrow('ADDITIONAL_PROVIDERS[0].models[1]: must not be empty');
  });
});

describe('aliases and model fallbacks', () => {
  it('reads provider aliases and MODEL_FALLBACKS', () => {
    const config = parseConfig({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'g', baseUrl: 'https://g.example', aliases: { 'llama-70b': 'llama-3.1' } },
      ]),
      MODEL_FALLBACKS: '{"gpt-4o":["llama-70b"]}',
    });
    expect(config.providers[0]?.aliases).toEqual({ 'llama-70b': 'llama-3.1' });
    expect(config.modelFallbacks).toEqual({ 'gpt-4o': ['llama-70b'] });
  });

  it('names the exact field of bad aliases and fallbacks', () => {
    expect(() =>
      parseConfig({
        ADDITIONAL_PROVIDERS: JSON.stringify([{ id: 'g', baseUrl: 'https://g.example', aliases: ['x'] }]),
      }),
    ).toThrow('ADDITIONAL_PROVIDERS[0].aliases: must be an object');
    expect(() => parseConfig({ MODEL_FALLBACKS: '{"gpt-4o":"llama"}' })).toThrow(
      'MODEL_FALLBACKS.gpt-4o: must be an array',
    );
    expect(() => parseConfig({ MODEL_FALLBACKS: '{bad' })).toThrow('MODEL_FALLBACKS: is not valid JSON');
  });
});

describe('parseConfig: ALLOWED_PATHS', () => {
  it('is unset (every /v1/ endpoint) by default, and a blank value is unset too', () => {
    expect(parseConfig({}).allowedPaths).toBeUndefined();
    expect(parseConfig({ ALLOWED_PATHS: ' , ' }).allowedPaths).toBeUndefined();
  });

  it('reads a comma-separated list of endpoint globs', () => {
    expect(parseConfig({ ALLOWED_PATHS: 'chat/completions, audio/* ,models' }).allowedPaths).toEqual([
      'chat/completions',
      'audio/*',
      'models',
    ]);
  });

  it.each(['/v1/chat/completions', 'v1/models', 'chat completions', 'models?x=1', '/models'])(
    'rejects %j, naming the variable',
    (value) => {
      const error = configError({ ALLOWED_PATHS: value });
      expect(error.message).toMatch(
        /^Invalid configuration: ALLOWED_PATHS: entry 1 must be an endpoint relative to \/v1\//,
      );
    },
  );
});
