import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConfigError,
  GatewayError,
  InvalidRequestError,
  UpstreamError,
} from './gateway-error.js';
import { internalErrorBody, type OpenAIErrorBody, renderError } from './render-error.js';

async function bodyOf(response: Response): Promise<OpenAIErrorBody> {
  return (await response.json()) as OpenAIErrorBody;
}

describe('renderError', () => {
  it.each([
    [new AuthenticationError('Invalid API key.'), 401, 'invalid_request_error', 'invalid_api_key'],
    [
      new InvalidRequestError('Too big', { status: 413, code: 'request_too_large' }),
      413,
      'invalid_request_error',
      'request_too_large',
    ],
    [
      new InvalidRequestError('Bad path', { status: 400, code: 'invalid_path' }),
      400,
      'invalid_request_error',
      'invalid_path',
    ],
    [
      new InvalidRequestError('Nope', { status: 404, code: 'unknown_url' }),
      404,
      'invalid_request_error',
      'unknown_url',
    ],
    [
      new UpstreamError('Down', { status: 502, code: 'upstream_unreachable' }),
      502,
      'api_error',
      'upstream_unreachable',
    ],
    [
      new UpstreamError('None', { status: 503, code: 'no_provider_available' }),
      503,
      'api_error',
      'no_provider_available',
    ],
    [
      new UpstreamError('Slow', { status: 504, code: 'upstream_timeout' }),
      504,
      'api_error',
      'upstream_timeout',
    ],
    [
      new ConfigError('Invalid configuration: PORT: must be a whole number'),
      500,
      'server_error',
      'invalid_configuration',
    ],
    [
      new GatewayError('Client left', {
        status: 499,
        type: 'invalid_request_error',
        code: 'client_closed_request',
      }),
      499,
      'invalid_request_error',
      'client_closed_request',
    ],
  ] as const)('renders %o with its status and OpenAI shape', async (error, status, type, code) => {
    const response = renderError(error, 'req-1');
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await bodyOf(response)).toEqual({ error: { message: error.message, type, param: null, code } });
  });

  it('sets the error headers (WWW-Authenticate on a 401)', () => {
    const response = renderError(new AuthenticationError('Missing API key'), 'req-2');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('sets custom headers of a GatewayError', () => {
    const error = new GatewayError('Slow down', {
      status: 429,
      type: 'invalid_request_error',
      code: 'rate_limited',
      headers: { 'retry-after': '7' },
    });
    const response = renderError(error, 'req-3');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('does not show the cause of an UpstreamError', async () => {
    const error = new UpstreamError('Provider "a" could not be reached.', {
      status: 502,
      code: 'upstream_unreachable',
      cause: new Error('connect ECONNREFUSED 10.0.0.7:443 token=sk-SECRET'),
    });
    const text = await renderError(error, 'req-4').text();
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('sk-SECRET');
  });

  it('renders a plain Error as 500 with the request id and without its message', async () => {
    const response = renderError(new Error('db password is hunter2'), 'req-abc-123');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    const body = JSON.parse(text) as OpenAIErrorBody;
    expect(body).toEqual({
      error: {
        message: expect.stringContaining('req-abc-123'),
        type: 'server_error',
        param: null,
        code: 'internal_error',
      },
    });
  });

  it.each([['a string'], [42], [null], [undefined], [{ message: 'looks like an error', status: 400 }]])(
    'renders the non-error %j as a 500',
    async (thrown) => {
      const response = renderError(thrown, 'req-x');
      expect(response.status).toBe(500);
      const body = await bodyOf(response);
      expect(body.error.code).toBe('internal_error');
      expect(body.error.message).not.toContain('looks like an error');
      expect(body.error.message).toContain('req-x');
    },
  );

  it('renders a TypeError (a bug) as a 500 without its message', async () => {
    const response = renderError(new TypeError("Cannot read properties of undefined (reading 'id')"), 'r9');
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('reading');
  });
});

describe('internalErrorBody', () => {
  it('names the request id and nothing else of the failure', () => {
    expect(internalErrorBody('req-7')).toEqual({
      error: {
        message: 'The gateway failed unexpectedly. Quote request id req-7 when reporting it.',
        type: 'server_error',
        param: null,
        code: 'internal_error',
      },
    });
  });
});
