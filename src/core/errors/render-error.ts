import { type GatewayResponse, toWebResponse } from '../exchange/exchange.js';
import { LightHeaders } from '../exchange/header-map.js';
import { GatewayError } from './gateway-error.js';

const encoder = new TextEncoder();
const encode = (text: string) => encoder.encode(text) as Uint8Array<ArrayBuffer>;

/** OpenAI's error body: `{"error":{"message","type","param","code"}}`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The one error body for a failure that is not the gateway's to explain (a bug, an unexpected throw). */
export function internalErrorBody(requestId: string): OpenAIErrorBody {
  return {
    error: {
      message: `The gateway failed unexpectedly. Quote request id ${requestId} when reporting it.`,
      type: 'server_error',
      param: null,
      code: 'internal_error',
    },
  };
}

/**
 * The one place that turns an error into an OpenAI-shaped answer. A {@link GatewayError} shows its own
 * message; anything else becomes a plain 500 naming only the request id.
 *
 * @example
 * errorResponse(new AuthenticationError('Missing API key'), requestId); // { status: 401, body: {"error":{...}} }
 */
export function errorResponse(error: unknown, requestId: string): GatewayResponse {
  const headers = new LightHeaders({ 'content-type': 'application/json; charset=utf-8' });
  if (!(error instanceof GatewayError)) {
    return { status: 500, headers, body: encode(JSON.stringify(internalErrorBody(requestId))) };
  }
  for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  const body: OpenAIErrorBody = {
    error: { message: error.message, type: error.type, param: null, code: error.code },
  };
  return { status: error.status, headers, body: encode(JSON.stringify(body)) };
}

/**
 * {@link errorResponse} as a Web `Response`.
 *
 * @example
 * return renderError(new AuthenticationError('Missing API key'), requestId); // 401 {"error":{...}}
 */
export function renderError(error: unknown, requestId: string): Response {
  return toWebResponse(errorResponse(error, requestId));
}
