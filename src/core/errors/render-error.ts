import { GatewayError } from './gateway-error.js';

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
 * The one place that turns an error into an OpenAI-shaped response. A {@link GatewayError} shows its own
 * message; anything else becomes a plain 500 naming only the request id.
 *
 * @example
 * return renderError(new AuthenticationError('Missing API key'), requestId); // 401 {"error":{...}}
 */
export function renderError(error: unknown, requestId: string): Response {
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8' });
  if (!(error instanceof GatewayError)) {
    return new Response(JSON.stringify(internalErrorBody(requestId)), { status: 500, headers });
  }
  for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  const body: OpenAIErrorBody = {
    error: { message: error.message, type: error.type, param: null, code: error.code },
  };
  return new Response(JSON.stringify(body), { status: error.status, headers });
}
