import { describe, expect, it } from 'vitest';
import { clientKeyOf } from '../config/access.js';
import { sha256Hex } from '../config/sha256-hex.js';
import { AuthenticationError } from '../errors/gateway-error.js';
import { presentedKeys } from './client-keys.js';
import { ANY_KEY_NAME, createKeyVerifier, type KeyVerifier } from './key-verifier.js';

const list = (...keys: string[]) => ({ kind: 'list' as const, keys: keys.map((key) => clientKeyOf(key)) });
const nameOf = (key: string) => `key-${sha256Hex(key).slice(0, 8)}`;

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
  const verify = createKeyVerifier(list('key-one', 'key-two', 'key-three'));

  it.each(['key-one', 'key-two', 'key-three'])(
    'accepts the configured key %s, under its derived name',
    async (key) => {
      await expect(settled(verify, [key])).resolves.toBe(nameOf(key));
    },
  );

  it('accepts keys taken from Bearer, X-API-KEY or both', async () => {
    await expect(
      settled(verify, presentedKeys(new Headers({ authorization: 'bearer key-one' }))),
    ).resolves.toMatch(/^key-[0-9a-f]{8}$/);
    await expect(settled(verify, presentedKeys(new Headers({ 'X-API-KEY': 'key-two' })))).resolves.toMatch(
      /^key-[0-9a-f]{8}$/,
    );
    await expect(
      settled(
        verify,
        presentedKeys(new Headers({ authorization: 'Bearer key-one', 'x-api-key': 'key-three' })),
      ),
    ).resolves.toMatch(/^key-[0-9a-f]{8}$/);
  });

  it('accepts when one of the presented keys is configured, and names the configured key it was', async () => {
    await expect(settled(verify, ['wrong-key', 'key-two'])).resolves.toBe(nameOf('key-two'));
    await expect(settled(verify, ['key-two', 'wrong-key'])).resolves.toBe(nameOf('key-two'));
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
    const fresh = createKeyVerifier(list('key-one'));
    // First sight of each key: the digests are computed (asynchronously).
    const first = fresh(['key-one']);
    expect(first).toBeInstanceOf(Promise);
    await first;
    await rejection(fresh, ['known-wrong']);
    expect(fresh(['key-one'])).toBe(nameOf('key-one'));
    expect(() => fresh(['known-wrong'])).toThrow(AuthenticationError);
    expect(fresh(['known-wrong', 'key-one'])).toBe(nameOf('key-one'));
    // One new key among known ones: back to waiting for its digest.
    await expect(fresh(['key-one', 'not-seen-yet'])).resolves.toMatch(/^key-[0-9a-f]{8}$/);
  });

  it('works again after a rejection', async () => {
    await rejection(verify, ['nope']);
    await expect(settled(verify, ['key-one'])).resolves.toMatch(/^key-[0-9a-f]{8}$/);
  });
});

describe('createKeyVerifier: any mode ("*")', () => {
  const verify = createKeyVerifier({ kind: 'any', keys: [] });

  it.each(['x', 'anything-at-all', '*'])('accepts %j, named "*"', async (key) => {
    await expect(settled(verify, [key])).resolves.toBe(ANY_KEY_NAME);
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

describe('createKeyVerifier: named keys', () => {
  const keys = [
    clientKeyOf('team-a:sk-team-A-secret'),
    clientKeyOf('sk-plain-secret'),
    { name: 'hashed', sha256: sha256Hex('only-its-digest-is-configured') },
  ];

  it('names each accepted key: name:key, a derived name, a keySha256 entry', async () => {
    const verify = createKeyVerifier({ kind: 'list', keys });
    await expect(settled(verify, ['sk-team-A-secret'])).resolves.toBe('team-a');
    await expect(settled(verify, ['sk-plain-secret'])).resolves.toBe(nameOf('sk-plain-secret'));
    await expect(settled(verify, ['only-its-digest-is-configured'])).resolves.toBe('hashed');
    await rejection(verify, ['team-a:sk-team-A-secret']);
    await rejection(verify, ['team-a']);
  });

  it('with "*", tells its named keys apart and names any other key "*"', async () => {
    const verify = createKeyVerifier({ kind: 'any', keys });
    await expect(settled(verify, ['sk-team-A-secret'])).resolves.toBe('team-a');
    await expect(settled(verify, ['invented'])).resolves.toBe(ANY_KEY_NAME);
    await rejection(verify, []);
  });
});
