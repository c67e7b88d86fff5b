import type { MiddlewareHandler } from 'hono';
import type { RequestRecord } from '../exchange/request-record.js';
import { presentedKeys } from './client-keys.js';
import type { KeyVerifier } from './key-verifier.js';

/**
 * Lets the request through only with an accepted client key (its name goes in the request record); otherwise the verifier's 401 propagates to the
 * error renderer.
 *
 * @example
 * app.get('/stats', requireClientKey(createKeyVerifier(config.clientKeys)), showStats);
 */
export function requireClientKey(
  verify: KeyVerifier,
): MiddlewareHandler<{ Variables: { record: RequestRecord } }> {
  return async function requireClientKeyMiddleware(c, next) {
    c.get('record').key = await verify(presentedKeys(c.req.raw.headers));
    await next();
  };
}
