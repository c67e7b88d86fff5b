/** The `type` field of OpenAI's error shape, as OpenAI itself uses it. */
export type ErrorType = 'invalid_request_error' | 'api_error' | 'server_error';

export interface GatewayErrorOptions {
  status: number;
  type: ErrorType;
  code: string;
  /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
  headers?: Readonly<Record<string, string>>;
  cause?: unknown;
}

/**
 * An error the gateway itself answers with. Its message is shown to the client, so it must never
 * carry a token, a client key or an upstream's body: write it for the person reading the response.
 *
 * @example
 * throw new GatewayError('Unknown route', { status: 404, type: 'invalid_request_error', code: 'unknown_url' });
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.headers = options.headers ?? {};
  }
}

/** 401: the client sent no key, or one the gateway does not accept. */
export class AuthenticationError extends GatewayError {
  constructor(message: string) {
    super(message, {
      status: 401,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      headers: { 'www-authenticate': 'Bearer' },
    });
    this.name = 'AuthenticationError';
  }
}

/** 400 / 404 / 413: the request itself is wrong; retrying it unchanged will not help. */
export class InvalidRequestError extends GatewayError {
  constructor(message: string, options: { status: 400 | 404 | 413; code: string }) {
    super(message, { status: options.status, type: 'invalid_request_error', code: options.code });
    this.name = 'InvalidRequestError';
  }
}

/** 403: the key is good, but this gateway (or, later, this key's policy) does not forward the endpoint. */
export class EndpointNotAllowedError extends GatewayError {
  constructor(endpoint: string) {
    super(`The endpoint /v1/${endpoint.slice(0, 200)} is not allowed on this gateway (ALLOWED_PATHS).`, {
      status: 403,
      type: 'invalid_request_error',
      code: 'endpoint_not_allowed',
    });
    this.name = 'EndpointNotAllowedError';
  }
}

/** 405: a method no OpenAI endpoint uses; `Allow` names those that are forwarded. */
export class MethodNotAllowedError extends GatewayError {
  constructor(method: string, allow: string) {
    super(`The method ${method.slice(0, 20)} is not forwarded: this gateway forwards ${allow} under /v1/.`, {
      status: 405,
      type: 'invalid_request_error',
      code: 'method_not_allowed',
      headers: { allow },
    });
    this.name = 'MethodNotAllowedError';
  }
}

/** 429 / 502 / 503 / 504: the gateway could not get an answer from any provider (429: all rate limited). */
export class UpstreamError extends GatewayError {
  constructor(
    message: string,
    options: {
      status: 429 | 502 | 503 | 504;
      code: string;
      headers?: Readonly<Record<string, string>>;
      cause?: unknown;
    },
  ) {
    super(message, { ...options, type: 'api_error' });
    this.name = 'UpstreamError';
  }
}

/** 500: the gateway's configuration is invalid. The message names the variable, never its value. */
export class ConfigError extends GatewayError {
  constructor(message: string) {
    super(message, { status: 500, type: 'server_error', code: 'invalid_configuration' });
    this.name = 'ConfigError';
  }
}

/** 499 (nginx's "client closed request"): the client went away; only logs ever see this answer. */
export class ClientClosedError extends GatewayError {
  constructor() {
    super('The client closed the request.', {
      status: 499,
      type: 'invalid_request_error',
      code: 'client_closed_request',
    });
    this.name = 'ClientClosedError';
  }
}

/** 408: the client was too slow sending its request (its body stalled, or the request's budget ran out). */
export class RequestTimeoutError extends GatewayError {
  constructor(message: string) {
    super(message, { status: 408, type: 'invalid_request_error', code: 'request_timeout' });
    this.name = 'RequestTimeoutError';
  }
}

/** 429 `rate_limit_exceeded`: the client key holds as much as it may at once; try again shortly. */
export class RateLimitError extends GatewayError {
  constructor(message: string, options: { retryAfterSeconds: number }) {
    super(message, {
      status: 429,
      type: 'invalid_request_error',
      code: 'rate_limit_exceeded',
      headers: { 'retry-after': String(options.retryAfterSeconds) },
    });
    this.name = 'RateLimitError';
  }
}

/**
 * 503: the shared state store (Redis, a Durable Object, a database file) did not answer within its deadline or
 * failed, and the store is set to fail closed. The message names no address: a Redis URL may hold a password.
 */
export class StoreUnavailableError extends GatewayError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { status: 503, type: 'api_error', code: 'store_unavailable', cause: options.cause });
    this.name = 'StoreUnavailableError';
  }
}
