import type { MiddlewareHandler } from 'hono';

const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const DEFAULT_ALLOW_HEADERS =
  'Authorization, Content-Type, X-API-KEY, OpenAI-Organization, OpenAI-Project, OpenAI-Beta';
const TOKEN_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

export interface CorsOptions {
  /** `'*'`, or the exact origins to echo back. */
  origins: '*' | readonly string[];
}

/**
 * CORS for every response. Preflights (any OPTIONS request) are answered here with 204, before auth and
 * routing. With `'*'` every response allows any origin; with a list, a listed Origin is echoed back with
 * `Vary: Origin` and any other origin gets no `Access-Control-Allow-Origin` at all.
 *
 * @example
 * app.use(cors({ origins: ['https://app.example.com'] }));
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  const anyOrigin = options.origins === '*';
  const listed = new Set(anyOrigin ? [] : options.origins);
  const allowedOrigin = (origin: string | undefined): string | undefined =>
    anyOrigin ? '*' : origin !== undefined && listed.has(origin) ? origin : undefined;

  return async function corsMiddleware(c, next) {
    const allowOrigin = allowedOrigin(c.req.header('origin'));
    if (c.req.method === 'OPTIONS') {
      const headers = new Headers({
        'access-control-allow-methods': ALLOW_METHODS,
        'access-control-max-age': '86400',
        vary: anyOrigin ? 'Access-Control-Request-Headers' : 'Origin, Access-Control-Request-Headers',
      });
      const requested = c.req.header('access-control-request-headers')?.trim();
      // Browsers ask for the headers their SDK sends (the openai package adds x-stainless-*): allow those.
      headers.set(
        'access-control-allow-headers',
        requested && TOKEN_LIST.test(requested)
          ? `${DEFAULT_ALLOW_HEADERS}, ${requested}`
          : DEFAULT_ALLOW_HEADERS,
      );
      if (allowOrigin !== undefined) headers.set('access-control-allow-origin', allowOrigin);
      return new Response(null, { status: 204, headers });
    }
    await next();
    const headers = c.res.headers;
    if (allowOrigin !== undefined) {
      headers.set('access-control-allow-origin', allowOrigin);
      headers.set('access-control-expose-headers', '*');
    }
    if (!anyOrigin) headers.append('vary', 'Origin');
  };
}
