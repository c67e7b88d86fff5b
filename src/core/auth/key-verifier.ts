import type { ClientKeys } from '../config/schema.js';
import { AuthenticationError } from '../errors/gateway-error.js';

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Digests of recently presented keys: a WebCrypto digest per request is costly (on Node, a thread-pool job). */
const DIGEST_CACHE_SIZE = 1024;

function cachedSha256(): (text: string) => Promise<Uint8Array> {
  const cache = new Map<string, Promise<Uint8Array>>();
  return function digestOf(text) {
    let digest = cache.get(text);
    if (digest === undefined) {
      // Invented keys must not grow the cache without bound: start over when full.
      if (cache.size >= DIGEST_CACHE_SIZE) cache.clear();
      digest = sha256(text);
      cache.set(text, digest);
    }
    return digest;
  };
}

/** Equal-length digests compared without an early exit, so timing reveals nothing of the key. */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

/** Checks presented keys; resolves when one is accepted, rejects with a 401 {@link AuthenticationError}. */
export type KeyVerifier = (presented: readonly string[]) => Promise<void>;

/**
 * Builds the check for `PROXY_API_KEYS`. Keys are compared as SHA-256 digests in constant time, against
 * every configured key. `{ kind: 'any' }` (the value `*`) accepts any non-empty key; `{ kind: 'unset' }`
 * refuses everything and says which variable to set.
 *
 * @example
 * const verify = createKeyVerifier({ kind: 'list', keys: ['k1'] });
 * await verify(['k1']); // resolves
 * await verify(['k2']); // rejects: 401
 */
export function createKeyVerifier(clientKeys: ClientKeys): KeyVerifier {
  if (clientKeys.kind === 'unset') {
    return async function refuseUnconfigured() {
      throw new AuthenticationError(
        'This gateway has no client keys configured: set PROXY_API_KEYS (comma-separated keys, or "*" to accept any key).',
      );
    };
  }
  const missing = () =>
    new AuthenticationError(
      'Missing API key: send it as "Authorization: Bearer <key>" or "X-API-KEY: <key>".',
    );
  if (clientKeys.kind === 'any') {
    return async function acceptAnyKey(presented) {
      if (presented.length === 0) throw missing();
    };
  }
  const configured = Promise.all(clientKeys.keys.map(sha256));
  const digestOf = cachedSha256();
  return async function verifyKey(presented) {
    if (presented.length === 0) throw missing();
    const known = await configured;
    let accepted = false;
    for (const key of presented) {
      // The lookup only finds keys this client sent before; the comparison below is what decides.
      const digest = await digestOf(key);
      for (const candidate of known) accepted = digestsEqual(digest, candidate) || accepted;
    }
    if (!accepted) throw new AuthenticationError('Invalid API key.');
  };
}
