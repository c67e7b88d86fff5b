import { sha256Hex } from '../config/sha256-hex.js';

/**
 * Whether one of the presented keys is `secret` (the admin key, the metrics key): compared as SHA-256 digests
 * without an early exit, so timing reveals nothing of it. Always false when no secret is configured. For the
 * few routes that take such a key (/stats, /metrics), not the proxy's hot path.
 *
 * @example
 * const isAdmin = createSecretCheck(config.adminKey);
 * isAdmin(presentedKeys(request.headers)); // true or false
 */
export function createSecretCheck(secret: string | undefined): (presented: readonly string[]) => boolean {
  if (secret === undefined) return () => false;
  const expected = sha256Hex(secret);
  return function checkSecret(presented) {
    let match = false;
    for (const key of presented) {
      const digest = sha256Hex(key);
      let difference = 0;
      for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ digest.charCodeAt(i);
      match = difference === 0 || match;
    }
    return match;
  };
}
