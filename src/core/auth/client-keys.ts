import type { HeaderSource } from '../exchange/exchange.js';

const BEARER = /^bearer[ \t]+(.+)$/i;

/**
 * The keys a client presents: `Authorization: Bearer K` and/or `X-API-KEY: K`, trimmed, empty ones dropped.
 *
 * @example
 * presentedKeys(new Headers({ authorization: 'Bearer k1' })); // ['k1']
 */
export function presentedKeys(headers: HeaderSource): string[] {
  const keys: string[] = [];
  const bearer = BEARER.exec(headers.get('authorization') ?? '')?.[1]?.trim();
  if (bearer) keys.push(bearer);
  const apiKey = headers.get('x-api-key')?.trim();
  if (apiKey) keys.push(apiKey);
  return keys;
}
