import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../errors/gateway-error.js';
import { presentedKeys } from './client-keys.js';
import { createKeyVerifier, type KeyVerifier } from './key-verifier.js';

/** The verifier's verdict as a promise, whether it decided at once (returned or threw) or later. */
const settled = (verify: KeyVerifier, presented: readonly string[]) =>
  Promise.resolve().then(() => verify(presented));

/** Resolves to the AuthenticationError the verifier must reject with. */
async function rejection(verify: KeyVerifier, presented: readonly string[]): Promise<AuthenticationError> {
  let thrown: unknown;
  try {
    await verify(presented);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected the key to be rejected').toBeInstanceOf(AuthenticationError);
  const error = thrown as AuthenticationError;
  expect(error.status).toBe(401);
  expect(error.code).toBe('invalid_api_key');
  expect(error.type).toBe('invalid_request_error');
  expect(error.headers).toEqual({ 'www-authenticate': 'Bearer' });
  for (const key of presented) expect(error.message).not.toContain(key);
  return error;
}

describe('createKeyVerifier: list mode', () => {
  const verify = createKeyVerifier({ kind: 'list', keys: ['key-one', 'key-two', 'key-three'] });

  it.each(['key-one', 'key-two', 'key-three'])('accepts the configured key %s', async (key) => {
    await expect(settled(verify, [key])).resolves.toBe(key);
  });

  it('accepts keys taken from Bearer, X-API-KEY or both', async () => {
    await expect(
      settled(verify, presentedKeys(new Headers({ authorization: 'bearer key-one' }))),
    ).resolves.toBe('key-one');
    await expect(settled(verify, presentedKeys(new Headers({ 'X-API-KEY': 'key-two' })))).resolves.toBe(
      'key-two',
    );
    await expect(
      settled(
        verify,
        presentedKeys(new Headers({ authorization: 'Bearer key-one', 'x-api-key': 'key-three' })),
      ),
    ).resolves.toBe('key-one');
  });

  it('accepts when one of the presented keys is configured, and says which configured key it was', async () => {
    await expect(settled(verify, ['wrong-key', 'key-two'])).resolves.toBe('key-two');
    await expect(settled(verify, ['key-two', 'wrong-key'])).resolves.toBe('key-two');
  });

  it.each(['key-on', 'key-one ', 'KEY-ONE', 'key-one-x', 'sk-INTRUDER-42', 'zq9'])(
    'rejects the unknown key %j without quoting it',
    async (key) => {
      const error = await rejection(verify, [key]);
      expect(error.message).toBe('Invalid API key.');
    },
  );

  it('rejects two wrong keys', async () => {
    await rejection(verify, ['wrong-1', 'wrong-2']);
  });

  it('rejects a missing key, naming both headers', async () => {
    const error = await rejection(verify, []);
    expect(error.message).toContain('Missing API key');
    expect(error.message).toContain('Authorization: Bearer');
    expect(error.message).toContain('X-API-KEY');
  });

  it('decides at once, without a promise, for keys whose digests it already knows', async () => {
    const fresh = createKeyVerifier({ kind: 'list', keys: ['key-one'] });
    // First sight of each key: the digests are computed (asynchronously).
    const first = fresh(['key-one']);
    expect(first).toBeInstanceOf(Promise);
    await first;
    await rejection(fresh, ['known-wrong']);
    expect(fresh(['key-one'])).toBe('key-one');
    expect(() => fresh(['known-wrong'])).toThrow(AuthenticationError);
    expect(fresh(['known-wrong', 'key-one'])).toBe('key-one');
    // One new key among known ones: back to waiting for its digest.
    await expect(fresh(['key-one', 'not-seen-yet'])).resolves.toBe('key-one');
  });

  it('works again after a rejection', async () => {
    await rejection(verify, ['nope']);
    await expect(settled(verify, ['key-one'])).resolves.toBe('key-one');
  });
});

describe('createKeyVerifier: any mode ("*")', () => {
  const verify = createKeyVerifier({ kind: 'any' });

  it.each(['x', 'anything-at-all', '*'])('accepts %j', async (key) => {
    await expect(settled(verify, [key])).resolves.toBe(key);
  });

  it('rejects a request that presents no key, naming both headers', async () => {
    const error = await rejection(verify, presentedKeys(new Headers()));
    expect(error.message).toContain('Authorization: Bearer');
    expect(error.message).toContain('X-API-KEY');
  });
});

describe('createKeyVerifier: unset mode', () => {
  const verify = createKeyVerifier({ kind: 'unset' });

  it.each([[['sk-SECRET-123']], [[]], [['client-KEY-1', 'client-KEY-2']]])(
    'rejects %j, naming PROXY_API_KEYS',
    async (presented) => {
      const error = await rejection(verify, presented);
      expect(error.message).toContain('PROXY_API_KEYS');
    },
  );
});
