import { presentedKeys } from '../auth/client-keys.js';
import { ANY_KEY_NAME, type KeyVerifier } from '../auth/key-verifier.js';
import {
  ClientClosedError,
  EndpointNotAllowedError,
  GatewayError,
  MethodNotAllowedError,
} from '../errors/gateway-error.js';
import { errorResponse } from '../errors/render-error.js';
import type { GatewayRequest, GatewayResponse } from '../exchange/exchange.js';
import type { RequestContext, RequestRecord } from '../exchange/request-record.js';
import type { Logger } from '../logger.js';
import { createKeySlots, type KeySlots } from '../policy/key-slots.js';
import { endpointOf, type PathAllowList } from '../routing/path-allow-list.js';
import type { CorsPolicy } from './cors.js';
import type { RequestLogger } from './request-log.js';

export interface ProxyRouteOptions {
  /** Answers an authorised `/v1/*` request (the forwarding, failover included). */
  forward: (request: GatewayRequest, record: RequestRecord) => Promise<GatewayResponse>;
  verifyKey: KeyVerifier;
  cors: CorsPolicy;
  log: RequestLogger;
  logger: Logger;
  /** Whether `GET /v1/models` is the gateway's own listing rather than forwarded. */
  listsModels: boolean;
  /** The answer to `GET /health` (served without a key). */
  health: () => GatewayResponse;
  /** Takes secrets out of free text before it is logged (`createSecretRedactor`). */
  redact: (text: string) => string;
  /** The endpoints forwarded (`ALLOWED_PATHS`); undefined: every `/v1/` endpoint. */
  allowed?: PathAllowList | undefined;
  /**
   * Per client key, the most requests in flight and event streams open at once (0: no cap). Past either, 429
   * `rate_limit_exceeded` with `Retry-After: 1`. Leave it out (or both 0) for no bookkeeping at all.
   */
  perKey?: { maxRequests: number; maxStreams: number } | undefined;
}

/**
 * The routes the core answers on its own request and response types: `/v1/*` (all of it but the gateway's
 * own model listing) and the health probe.
 */
export interface ProxyRoute {
  /** Whether a request for `method` and `path` (no query) is this route's; every other one is the app's. */
  claims(method: string, path: string): boolean;
  /** The whole answer to a claimed request: preflight, auth, forwarding, errors, CORS, request id and log line. */
  handle(request: GatewayRequest, context?: RequestContext): Promise<GatewayResponse>;
}

const HEALTH_PATH = '/health';
/**
 * The methods the OpenAI API uses (its SDKs send GET, POST and DELETE; no endpoint takes PUT or PATCH), and HEAD
 * for what GET reads. Anything else (TRACE, which an upstream may echo with the provider's token in it, CONNECT,
 * PUT, PATCH, ...) is refused with 405 before a provider is chosen. OPTIONS is the CORS preflight.
 */
const FORWARDED_METHODS = new Set(['GET', 'HEAD', 'POST', 'DELETE']);
const ALLOW = 'GET, HEAD, POST, DELETE, OPTIONS';

/** The path of an absolute URL, without query or fragment. */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start === -1) return '/';
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}

/**
 * The `/v1/*` route, all of it, and `/health`, on the core's own request and response types: the hot path of
 * the gateway and what probes call. The Hono app delegates to it through Web adapters; a runtime with a faster
 * server (the Node entry) calls it directly, so every decision stays here either way.
 *
 * @example
 * const route = createProxyRoute({ forward, verifyKey, cors, log, logger, listsModels: false, health, redact });
 * if (route.claims('POST', '/v1/chat/completions')) answer = await route.handle(request);
 */
export function createProxyRoute(options: ProxyRouteOptions): ProxyRoute {
  const { forward, verifyKey, cors, log, logger, listsModels, health, redact, allowed, perKey } = options;
  const slots: KeySlots | undefined =
    perKey === undefined || (perKey.maxRequests === 0 && perKey.maxStreams === 0)
      ? undefined
      : createKeySlots(perKey);
  /** A `/v1/*` answer: method, key and endpoint checked, then forwarded; any failure as an OpenAI-shaped error. */
  const proxied = async (
    request: GatewayRequest,
    record: RequestRecord,
    path: string,
  ): Promise<GatewayResponse> => {
    try {
      if (!FORWARDED_METHODS.has(request.method)) throw new MethodNotAllowedError(request.method, ALLOW);
      // Most often the key is known and checked at once: no await, no extra turn of the event loop.
      const presented = presentedKeys(request.headers);
      const verdict = verifyKey(presented);
      record.key = typeof verdict === 'string' ? verdict : await verdict;
      // Slots per key name; keys "*" accepted without a name are told apart by the key itself.
      const key = record.key === ANY_KEY_NAME ? (presented[0] as string) : record.key;
      if (allowed !== undefined) {
        const endpoint = endpointOf(path);
        if (!allowed(endpoint)) throw new EndpointNotAllowedError(endpoint);
      }
      if (slots === undefined) return await forward(request, record);
      slots.enter(key);
      let answer: GatewayResponse;
      try {
        answer = await forward(request, record);
      } catch (error) {
        slots.leave(key);
        throw error;
      }
      return slots.hold(key, answer, record);
    } catch (error) {
      // A body cut off by a client that went away is no bug of ours: nothing is left to answer.
      const ours = error instanceof GatewayError;
      const gone = !ours && request.signal.aborted;
      if (!ours && !gone) logger(unexpectedError(error, record.id, redact));
      return errorResponse(gone ? new ClientClosedError() : error, record.id);
    }
  };
  return {
    claims(method, path) {
      if (path === HEALTH_PATH) return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
      if (!path.startsWith('/v1/')) return false;
      return !(listsModels && path === '/v1/models' && (method === 'GET' || method === 'HEAD'));
    },
    async handle(request, context) {
      const record = log.begin();
      const path = pathOf(request.url);
      let answer: GatewayResponse;
      if (request.method === 'OPTIONS') {
        answer = cors.preflight(request.headers);
      } else {
        answer = path === HEALTH_PATH ? health() : await proxied(request, record, path);
        cors.decorate(answer.headers, request.headers.get('origin'));
      }
      answer.headers.set('x-request-id', record.id);
      log.finish(record, { method: request.method, path, status: answer.status }, context);
      return answer;
    },
  };
}

/**
 * The log line for an error that is not the gateway's own (a bug): its kind and message, never a stack. The
 * message goes through `redact`: it may quote a header value it choked on.
 */
export function unexpectedError(error: unknown, requestId: string, redact: (text: string) => string) {
  return {
    level: 'error' as const,
    msg: 'unexpected error',
    requestId,
    error: error instanceof Error ? error.name : typeof error,
    detail: error instanceof Error ? redact(error.message) : undefined,
  };
}
