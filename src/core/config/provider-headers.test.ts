import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/gateway-error.js';
import { parseConfig } from './parse-config.js';

const SECRET = 'az-SECRET-key-123';

function providers(list: unknown[], env: Record<string, string> = {}) {
  return parseConfig({ ADDITIONAL_PROVIDERS: JSON.stringify(list), ...env });
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { message } = error as ConfigError;
    expect(message).not.toContain(SECRET);
    return message;
  }
  throw new Error('expected a ConfigError');
}

const azure = { id: 'azure', baseUrl: 'https://res.openai.azure.com/openai/v1' };

describe('provider headers, auth and query', () => {
  it('reads auth, headers (names lowercase), headersEnv from the environment, and query', () => {
    const [provider] = providers(
      [
        {
          ...azure,
          tokenEnv: 'AZ_KEY',
          auth: 'api-key',
          headers: { 'X-Tenant': 'blue' },
          headersEnv: { 'X-Secret': 'AZ_EXTRA' },
          query: { 'api-version': 'preview' },
        },
      ],
      { AZ_KEY: SECRET, AZ_EXTRA: ` ${SECRET}-2 ` },
    ).providers;
    expect(provider).toMatchObject({
      token: SECRET,
      auth: 'api-key',
      headers: { 'x-tenant': 'blue', 'x-secret': `${SECRET}-2` },
      query: { 'api-version': 'preview' },
    });
  });

  it('leaves them out when not configured', () => {
    const [provider] = providers([azure]).providers;
    expect(provider?.auth).toBeUndefined();
    expect(provider?.headers).toBeUndefined();
    expect(provider?.query).toBeUndefined();
  });

  it.each([
    [{ auth: 'basic' }, 'ADDITIONAL_PROVIDERS[0].auth: must be one of bearer'],
    [{ auth: 'api-key' }, 'ADDITIONAL_PROVIDERS[0].auth: api-key needs a token or tokenEnv'],
    [{ headers: { 'Bad Name': 'x' } }, 'ADDITIONAL_PROVIDERS[0].headers.Bad Name: must be a header name'],
    [{ headers: { Host: 'x' } }, 'ADDITIONAL_PROVIDERS[0].headers.Host: is set by the gateway'],
    [
      { headers: { 'X-A': `${SECRET}\r\nX-B: 1` } },
      'ADDITIONAL_PROVIDERS[0].headers.X-A: must be printable ASCII',
    ],
    [
      { headers: { Authorization: SECRET } },
      'ADDITIONAL_PROVIDERS[0].headers.Authorization: is what auth "bearer" sets',
    ],
    [
      { auth: 'api-key', token: SECRET, headersEnv: { 'Api-Key': 'X' } },
      'ADDITIONAL_PROVIDERS[0].headersEnv.Api-Key: is what auth "api-key" sets',
    ],
    [
      { headers: { 'X-A': '1' }, headersEnv: { 'x-a': 'V' } },
      'ADDITIONAL_PROVIDERS[0].headersEnv.x-a: is also in headers',
    ],
    [
      { headersEnv: { 'X-A': 'UNSET_VAR' } },
      'ADDITIONAL_PROVIDERS[0].headersEnv.X-A: names UNSET_VAR, which is not set',
    ],
    [{ query: { 'a b': 'x' } }, 'ADDITIONAL_PROVIDERS[0].query.a b: must be a query parameter name'],
  ])('%j -> %s', (fields, expected) => {
    expect(messageOf(() => providers([{ ...azure, ...fields }]))).toContain(expected);
  });

  it('allows Authorization in headers with auth "none"', () => {
    const [provider] = providers([
      { ...azure, auth: 'none', headers: { Authorization: 'Token abc' } },
    ]).providers;
    expect(provider?.headers).toEqual({ authorization: 'Token abc' });
  });
});
