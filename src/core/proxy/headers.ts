import type { HeaderSource } from '../exchange/exchange.js';
import { LightHeaders } from '../exchange/header-map.js';

// Hop-by-hop fields (RFC 9110 §7.6.1, RFC 9112 §9.6): meaningful for one connection only, never forwarded.
// Proxy-Connection and Keep-Alive are the non-standard ones still seen in the wild.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

const NOT_TO_UPSTREAM = new Set([
  ...HOP_BY_HOP,
  // Set by the runtime's fetch from the URL and the body.
  'host',
  'content-length',
  // The client's credentials for this gateway; the provider gets its own token instead.
  'authorization',
  'x-api-key',
  // Azure OpenAI's credential header: a provider sets its own (auth "api-key").
  'api-key',
  'cookie',
  // The runtime's fetch asks for (and decodes) the encodings it supports.
  'accept-encoding',
  // 100-continue is between the client and us; undici refuses the header outright.
  'expect',
  // The client's address is not the provider's business.
  'forwarded',
  'x-real-ip',
  'true-client-ip',
]);

const NOT_TO_CLIENT = new Set([
  ...HOP_BY_HOP,
  // Cookies and alternative services of the provider's origin mean nothing for ours.
  'set-cookie',
  'alt-svc',
]);

/**
 * x-forwarded-* describe the client's hop (auth proxies put identities and tokens there, e.g.
 * X-Forwarded-Access-Token); cf-* are Cloudflare's, refused by a Cloudflare zone when sent from a Worker.
 */
function isPerHopPrefix(name: string): boolean {
  return name.startsWith('x-forwarded-') || name.startsWith('cf-');
}

/** Field names listed in a Connection header are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionOptions(headers: HeaderSource): Set<string> | undefined {
  const value = headers.get('connection');
  // The usual values name no other field (keep-alive is hop-by-hop anyway).
  if (value === null || value === 'keep-alive' || value === 'close') return undefined;
  return new Set(value.split(',').map((name) => name.trim().toLowerCase()));
}

/**
 * The headers sent upstream: the client's, minus hop-by-hop fields, its credentials and its address, with
 * the provider's own (`set`: its credentials, e.g. `Authorization: Bearer <token>`, and configured headers).
 *
 * @example
 * upstreamRequestHeaders(request.headers, [['authorization', 'Bearer fw_…']]).get('authorization'); // 'Bearer fw_…'
 */
export function upstreamRequestHeaders(
  incoming: HeaderSource,
  set: readonly (readonly [string, string])[],
): LightHeaders {
  const named = connectionOptions(incoming);
  const headers = new LightHeaders();
  incoming.forEach((value, name) => {
    if (NOT_TO_UPSTREAM.has(name) || named?.has(name) || isPerHopPrefix(name)) return;
    headers.append(name, value);
  });
  for (const [name, value] of set) headers.set(name, value);
  return headers;
}

/**
 * The headers sent back to the client: the provider's, minus hop-by-hop fields, cookies and its own CORS
 * (the gateway answers CORS itself). Content-Encoding stays when the transport passed it on: the body is then
 * still encoded (a transport that decoded it left the header out).
 *
 * @example
 * clientResponseHeaders(upstream.headers).has('set-cookie'); // false
 */
export function clientResponseHeaders(upstream: HeaderSource): LightHeaders {
  const named = connectionOptions(upstream);
  const headers = new LightHeaders();
  upstream.forEach((value, name) => {
    if (NOT_TO_CLIENT.has(name) || named?.has(name) || name.startsWith('access-control-')) return;
    headers.append(name, value);
  });
  return headers;
}
