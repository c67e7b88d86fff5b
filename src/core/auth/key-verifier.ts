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
 * Checks presented keys. Returns the accepted key (the configured one it matched; with `*`, the first one
 * presented) at once when its digest is known, otherwise a promise of it; a refusal is a 401
 * {@link AuthenticationError}, thrown or rejected. `await` takes either.
 */
export type KeyVerifier = (presented: readonly string[]) => Promise<string> | string;

/**
 * Builds the check for `PROXY_API_KEYS`. Keys are compared as SHA-256 digests in constant time, against
 * every configured key. `{ kind: 'any' }` (the value `*`) accepts any non-empty key; `{ kind: 'unset' }`
 * refuses everything and says which variable to set.
 *
 * @example
 * const verify = createKeyVerifier({ kind: 'list', keys: ['k1'] });
 * await verify(['k1']); // 'k1': accepted
 * await verify(['k2']); // throws: 401
 */
export function createKeyVerifier(clientKeys: ClientKeys): KeyVerifier {
  if (clientKeys.kind === 'unset') {
    return async function refuseUnconfigured() {
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
  if (clientKeys.kind === 'any') {
    return function acceptAnyKey(presented) {
      return presented[0] ?? Promise.reject(missing());
    };
  }
  const configured = Promise.all(clientKeys.keys.map(sha256));
  let known: readonly Uint8Array[] | undefined;
  void configured.then((digests) => {
    known = digests;
  });
  const { digestOf } = digestCache();
  const { keys } = clientKeys;
  /** Every presented digest against every configured one, without an early exit; the configured key matched. */
  const check = (digests: readonly Uint8Array[], candidates: readonly Uint8Array[]): string => {
    let accepted = -1;
    for (const digest of digests) {
      for (let i = 0; i < candidates.length; i++) {
        if (digestsEqual(digest, candidates[i] as Uint8Array) && accepted < 0) accepted = i;
      }
    }
    if (accepted < 0) throw new AuthenticationError(`Invalid API key.${hint}`);
    return keys[accepted] as string;
  };
  return function verifyKey(presented) {
    if (presented.length === 0) return Promise.reject(missing());
    // The lookup only finds keys this client sent before; the comparison in `check` is what decides.
    const digests = presented.map(digestOf);
    if (known !== undefined && digests.every((digest) => digest instanceof Uint8Array)) {
      // Every digest known: no await, the common case of a client sending its key again.
      return check(digests as Uint8Array[], known);
    }
    return Promise.all([Promise.all(digests), configured]).then(([values, candidates]) =>
      check(values, candidates),
    );
  };
}
