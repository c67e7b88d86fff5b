import { describe, expect, it } from 'vitest';
import { createSecretRedactor, REDACTED } from './secret-redactor.js';

describe('createSecretRedactor', () => {
  const redact = createSecretRedactor(['provider-token-1', 'client-key-a', '']);

  it('replaces every configured secret, wherever and however often it appears', () => {
    expect(redact('bad value provider-token-1 and client-key-a, again provider-token-1')).toBe(
      `bad value ${REDACTED} and ${REDACTED}, again ${REDACTED}`,
    );
  });

  it.each([
    [
      'Invalid value "Bearer abc.def-123" for header "authorization"',
      `Invalid value "Bearer ${REDACTED}" for header "authorization"`,
    ],
    ['authorization: basic dXNlcjpwYXNz', `authorization: basic ${REDACTED}`],
    ['key sk-proj-AbCdEf0123456789 rejected', `key ${REDACTED} rejected`],
  ])('replaces what is shaped like a credential: %s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('leaves other text alone, and an empty secret list redacts only credential shapes', () => {
    expect(redact('socket hang up (ECONNRESET) at 127.0.0.1:8080')).toBe(
      'socket hang up (ECONNRESET) at 127.0.0.1:8080',
    );
    expect(createSecretRedactor([])('token tok Bearer xyz')).toBe(`token tok Bearer ${REDACTED}`);
  });

  it('replaces a secret that contains another one whole', () => {
    const nested = createSecretRedactor(['abc', 'xxabcxx']);
    expect(nested('value xxabcxx')).toBe(`value ${REDACTED}`);
  });
});

describe('createSecretRedactor: percent-encoded secrets', () => {
  const redact = createSecretRedactor(['client-key-ALPHA-1234', 'tok-99']);

  it.each([
    '/v1/x/client%2Dkey%2DALPHA%2D1234',
    '/v1/x/%63lient-key-ALPHA-1234',
    '/v1/x/client%252Dkey%252DALPHA%252D1234',
    '/v1/x/%74%6F%6B%2d99/y',
    '/v1/x/sk%2Dproj%2Dabcdefghijkl',
  ])('redacts %s', (path) => {
    const safe = redact(path);
    expect(safe).toContain('[redacted]');
    expect(safe).not.toMatch(/client-key-ALPHA-1234|tok-99|abcdefghijkl/);
  });

  it('leaves a path with escapes but no secret as it is', () => {
    expect(redact('/v1/files/a%20b%2Dc')).toBe('/v1/files/a%20b%2Dc');
  });
});
