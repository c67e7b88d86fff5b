import type { MiddlewareHandler } from 'hono';
import { presentedKeys } from './client-keys.js';
import type { KeyVerifier } from './key-verifier.js';

/**
 * Lets the request through only with an accepted client key; otherwise the verifier's 401 propagates to the
 * error renderer.
 *
 * @example
 * app.get('/stats', requireClientKey(createKeyVerifier(config.clientKeys)), showStats);
 */
export function requireClientKey(verify: KeyVerifier): MiddlewareHandler {
  return async function requireClientKeyMiddleware(c, next) {
    await verify(presentedKeys(c.req.raw.headers));
    await next();
  };
}
