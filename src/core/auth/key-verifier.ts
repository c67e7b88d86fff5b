import type { ClientKeys } from '../config/schema.js';
import { AuthenticationError } from '../errors/gateway-error.js';

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Digests of recently presented keys: a WebCrypto digest per request is costly (on Node, a thread-pool job). */
const DIGEST_CACHE_SIZE = 1024;

/** A digest being computed, then (once known) the digest itself, so that a known key is checked at once. */
type CachedDigest = Promise<Uint8Array> | Uint8Array;

function digestCache() {
  const cache = new Map<string, CachedDigest>();
  return {
    /** The digest of `text`, computing it (and caching it) when it is not known. */
    digestOf(text: string): CachedDigest {
      let digest = cache.get(text);
      if (digest === undefined) {
        // Invented keys must not grow the cache without bound: start over when full.
        if (cache.size >= DIGEST_CACHE_SIZE) cache.clear();
        const pending = sha256(text);
        digest = pending;
        cache.set(text, pending);
        pending.then(
          (value) => {
            if (cache.get(text) === pending) cache.set(text, value);
          },
          () => cache.delete(text),
        );
      }
      return digest;
    },
  };
}

/** Equal-length digests compared without an early exit, so timing reveals nothing of the key. */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

/**
 * Checks presented keys. Returns the accepted key's name at once when the presented keys' digests are known,
 * otherwise a promise of it; a refusal is a 401 {@link AuthenticationError}, thrown or rejected. `await` takes
 * either.
 */
export type KeyVerifier = (presented: readonly string[]) => Promise<string> | string;

/** The name given to a key that `*` accepted without naming it. */
export const ANY_KEY_NAME = '*';

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Builds the check for the configured client keys. Keys are compared as SHA-256 digests in constant time,
 * against every configured key, and the accepted key's name is returned. `{ kind: 'any' }` (the value `*`)
 * accepts any non-empty key (named `*` unless it is one of its named keys); `{ kind: 'unset' }` refuses
 * everything and says which variable to set.
 *
 * @example
 * const verify = createKeyVerifier({ kind: 'list', keys: [clientKeyOf('team-a:k1')] });
 * await verify(['k1']); // 'team-a'
 * await verify(['k2']); // throws: 401
 */
export function createKeyVerifier(clientKeys: ClientKeys): KeyVerifier {
  if (clientKeys.kind === 'unset') {
    return async function refuseUnconfigured(): Promise<string> {
      throw new AuthenticationError(
        'This gateway has no client keys configured: set PROXY_API_KEYS (comma-separated keys, or "*" to accept any key).',
      );
    };
  }
  const hint = clientKeys.kind === 'list' && clientKeys.hint !== undefined ? ` ${clientKeys.hint}` : '';
  const missing = () =>
    new AuthenticationError(
      `Missing API key: send it as "Authorization: Bearer <key>" or "X-API-KEY: <key>".${hint}`,
    );
  const anyKey = clientKeys.kind === 'any';
  if (anyKey && clientKeys.keys.length === 0) {
    return function acceptAnyKey(presented) {
      return presented.length === 0 ? Promise.reject(missing()) : ANY_KEY_NAME;
    };
  }
  const names = clientKeys.keys.map((key) => key.name);
  const known = clientKeys.keys.map((key) => fromHex(key.sha256));
  const { digestOf } = digestCache();
  /** Every presented digest against every configured one, without an early exit. */
  const check = (digests: readonly Uint8Array[]): string => {
    let found = -1;
    for (const digest of digests) {
      for (let index = 0; index < known.length; index++) {
        const equal = digestsEqual(digest, known[index] as Uint8Array);
        found = equal && found === -1 ? index : found;
      }
    }
    if (found !== -1) return names[found] as string;
    if (anyKey) return ANY_KEY_NAME;
    throw new AuthenticationError(`Invalid API key.${hint}`);
  };
  return function verifyKey(presented) {
    if (presented.length === 0) return Promise.reject(missing());
    // The lookup only finds keys this client sent before; the comparison in `check` is what decides.
    const digests = presented.map(digestOf);
    if (digests.every((digest) => digest instanceof Uint8Array)) {
      // Every digest known: no await, the common case of a client sending its key again.
      return check(digests as Uint8Array[]);
    }
    return Promise.all(digests).then(check);
  };
}
