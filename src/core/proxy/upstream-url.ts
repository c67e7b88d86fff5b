import { InvalidRequestError } from '../errors/gateway-error.js';

/**
 * What a provider's base URL contributes to every upstream URL: the base without a trailing `/v1`, because
 * the request path brings its own (`https://api.groq.com/openai/v1` + `/v1/models` must not give `/v1/v1`).
 * Computed once per provider.
 *
 * @example
 * upstreamPrefix('https://api.fireworks.ai/inference'); // 'https://api.fireworks.ai/inference'
 * upstreamPrefix('https://api.groq.com/openai/v1');    // 'https://api.groq.com/openai'
 */
export function upstreamPrefix(baseUrl: string): string {
  return baseUrl.endsWith('/v1') ? baseUrl.slice(0, -3) : baseUrl;
}

const ENCODED_SEPARATOR = /%2f|%5c/i;

/** URL parsers drop tab, CR and LF anywhere, which would turn ".\t." into ".." after the checks below. */
function hasControlOrSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}
/** An empty segment (a trailing slash aside) or a dot segment, plain or percent-encoded. */
const BAD_SEGMENT = /\/\/|\/(?:\.|%2e){1,2}(?:\/|$)/i;

function rejectPath(): never {
  throw new InvalidRequestError(
    'The request path is not allowed: it must not contain empty, "." or ".." segments, backslashes, encoded slashes or control characters.',
    { status: 400, code: 'invalid_path' },
  );
}

/**
 * The path and query to forward, taken from an absolute request URL and checked so that, appended to a
 * provider prefix, it can only ever name a resource under that prefix on that host. The host of the
 * request URL (which an absolute-form request target controls) is ignored.
 *
 * @example
 * forwardedTarget('http://gw.example/v1/models?limit=2'); // '/v1/models?limit=2'
 * forwardedTarget('http://gw.example/v1/%2e%2e/admin');   // throws InvalidRequestError (400)
 */
export function forwardedTarget(requestUrl: string): string {
  const pathStart = requestUrl.indexOf('/', requestUrl.indexOf('://') + 3);
  if (pathStart === -1) rejectPath();
  const hash = requestUrl.indexOf('#', pathStart);
  const target = hash === -1 ? requestUrl.slice(pathStart) : requestUrl.slice(pathStart, hash);
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  if (!path.startsWith('/v1/')) {
    throw new InvalidRequestError(`Unknown route: ${path.slice(0, 200)}. Provider routes live under /v1/.`, {
      status: 404,
      code: 'unknown_url',
    });
  }
  if (
    path.includes('\\') ||
    ENCODED_SEPARATOR.test(path) ||
    BAD_SEGMENT.test(path) ||
    hasControlOrSpace(target)
  ) {
    rejectPath();
  }
  return target;
}
