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
  // The client's address and the proxies it came through are not the provider's business.
  'forwarded',
  'via',
  'x-real-ip',
  'true-client-ip',
  'x-client-ip',
  'client-ip',
  'x-cluster-client-ip',
  'fastly-client-ip',
  'x-original-forwarded-for',
  // Which OpenAI organisation and project a request bills to is the provider's configuration, not the client's.
  'openai-organization',
  'openai-project',
]);

const NOT_TO_CLIENT = new Set([
  ...HOP_BY_HOP,
  // Cookies, alternative services, HSTS, pins and reporting endpoints of the provider's origin mean nothing for
  // ours (and would make a browser act on the gateway's origin for the provider).
  'set-cookie',
  'set-cookie2',
  'alt-svc',
  'strict-transport-security',
  'public-key-pins',
  'nel',
  'report-to',
  // Where the provider points (its own or internal hosts): a 3xx is a failed attempt, never an answer.
  'location',
  'content-location',
  'refresh',
  // The provider's software and the proxies in front of it.
  'server',
  'x-powered-by',
  'via',
  // An upstream 401 is the gateway's credentials failing (a failed attempt); no challenge reaches the client.
  'www-authenticate',
]);

/**
 * x-forwarded-* describe the client's hop (auth proxies put identities and tokens there, e.g.
 * X-Forwarded-Access-Token); cf-* are Cloudflare's, refused by a Cloudflare zone when sent from a Worker;
 * proxy-* are for a proxy on the way (Proxy-Authorization, Proxy-Connection and the like). A fixed list, not
 * only what a Connection header names: workerd hides Connection from a Worker.
 */
function isPerHopPrefix(name: string): boolean {
  return name.startsWith('x-forwarded-') || name.startsWith('cf-') || name.startsWith('proxy-');
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
    if (name.startsWith('proxy-')) return;
    headers.append(name, value);
  });
  return headers;
}
