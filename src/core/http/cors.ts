import type { MiddlewareHandler } from 'hono';
import { type GatewayResponse, type HeaderSource, toWebResponse } from '../exchange/exchange.js';
import { type HeaderMap, LightHeaders } from '../exchange/header-map.js';

const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const DEFAULT_ALLOW_HEADERS =
  'Authorization, Content-Type, X-API-KEY, OpenAI-Organization, OpenAI-Project, OpenAI-Beta';
// A comma-separated list of header-name tokens (RFC 9110 §5.1): only then is it echoed back.
const TOKEN_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

export interface CorsOptions {
  /** `'*'`, or the exact origins to echo back. */
  origins: '*' | readonly string[];
}

export interface CorsPolicy {
  /** The 204 answer to a preflight (any OPTIONS request), given before auth and routing. */
  preflight(request: HeaderSource): GatewayResponse;
  /** Adds the CORS headers for a request from `origin` to its response's headers. */
  decorate(headers: HeaderMap, origin: string | null): void;
}

/**
 * CORS for every response. With `'*'` every response allows any origin; with a list, a listed Origin is
 * echoed back with `Vary: Origin` and any other origin gets no `Access-Control-Allow-Origin` at all.
 *
 * @example
 * const policy = createCorsPolicy({ origins: ['https://app.example.com'] });
 * policy.decorate(response.headers, request.headers.get('origin'));
 */
export function createCorsPolicy(options: CorsOptions): CorsPolicy {
  const anyOrigin = options.origins === '*';
  const listed = new Set(anyOrigin ? [] : options.origins);
  const allowedOrigin = (origin: string | null): string | undefined =>
    anyOrigin ? '*' : origin !== null && listed.has(origin) ? origin : undefined;

  return {
    preflight(request) {
      const headers = new LightHeaders({
        'access-control-allow-methods': ALLOW_METHODS,
        'access-control-max-age': '86400',
        vary: anyOrigin ? 'Access-Control-Request-Headers' : 'Origin, Access-Control-Request-Headers',
      });
      // Browsers ask for the headers their SDK sends (the openai package adds x-stainless-*): allow those.
      const requested = request.get('access-control-request-headers')?.trim();
      headers.set(
        'access-control-allow-headers',
        requested && TOKEN_LIST.test(requested)
          ? `${DEFAULT_ALLOW_HEADERS}, ${requested}`
          : DEFAULT_ALLOW_HEADERS,
      );
      const allowOrigin = allowedOrigin(request.get('origin'));
      if (allowOrigin !== undefined) headers.set('access-control-allow-origin', allowOrigin);
      return { status: 204, headers, body: null };
    },
    decorate(headers, origin) {
      const allowOrigin = allowedOrigin(origin);
      if (allowOrigin !== undefined) {
        headers.set('access-control-allow-origin', allowOrigin);
        headers.set('access-control-expose-headers', '*');
      }
      if (!anyOrigin) headers.append('vary', 'Origin');
    },
  };
}

/**
 * The {@link CorsPolicy} as Hono middleware: preflights answered here, every other response decorated.
 *
 * @example
 * app.use(cors(createCorsPolicy({ origins: '*' })));
 */
export function cors(policy: CorsPolicy): MiddlewareHandler {
  return async function corsMiddleware(c, next) {
    if (c.req.method === 'OPTIONS') {
      return toWebResponse(policy.preflight(c.req.raw.headers));
    }
    await next();
    policy.decorate(c.res.headers, c.req.raw.headers.get('origin'));
  };
}
