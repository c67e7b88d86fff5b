import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { GatewayResponse } from '../core/index.js';

/** How long a connection whose request body was not read stays open after its answer: time to read it. */
const LINGER_MS = 1_000;

export interface ClientLimits {
  /** The longest wait for a request's headers (`CLIENT_HEADERS_TIMEOUT_MS`). */
  headersTimeoutMs: number;
  /** The whole request's budget (`REQUEST_TIMEOUT_MS`): Node's own receive timeout is a backstop past it. */
  requestTimeoutMs: number;
  /** Open connections at most (`MAX_CONNECTIONS`, 0: no cap). */
  maxConnections: number;
}

/** A whole HTTP/1.1 answer in OpenAI's error shape, for a socket no request object can answer on. */
function rawError(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

const TOO_MANY_CONNECTIONS = rawError(
  503,
  'Service Unavailable',
  'too_many_connections',
  'The gateway has as many open connections as it accepts (MAX_CONNECTIONS). Retry shortly.',
).replace('Connection: close', 'Connection: close\r\nRetry-After: 1');

/** What a socket gets when its request cannot be parsed, or its headers are too slow: Node's codes, our shape. */
function clientErrorAnswer(code: string | undefined, headersTimeoutMs: number): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return rawError(
      408,
      'Request Timeout',
      'request_timeout',
      `The request did not arrive in time (its headers within ${headersTimeoutMs} ms, CLIENT_HEADERS_TIMEOUT_MS).`,
    );
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return rawError(
      431,
      'Request Header Fields Too Large',
      'headers_too_large',
      'The request headers are too large.',
    );
  }
  return rawError(400, 'Bad Request', 'invalid_request', 'The request is not valid HTTP/1.1.');
}

/**
 * Protects a `node:http` server from slow and idle clients: a deadline for request headers (408 in OpenAI's
 * shape), parse errors answered in the same shape, and a cap on open connections: one past it is answered 503
 * (`Retry-After: 1`, `Connection: close`) and closed, before its request is read.
 *
 * @example
 * guardServer(server, { headersTimeoutMs: 30_000, requestTimeoutMs: 300_000, maxConnections: 4096 });
 */
export function guardServer(server: Server, limits: ClientLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  // Node's own cap on receiving a request, behind the gateway's (which answers 408 in OpenAI's shape).
  server.requestTimeout = Math.max(limits.requestTimeoutMs + 5_000, limits.headersTimeoutMs);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    socket.end(clientErrorAnswer(error.code, limits.headersTimeoutMs));
  });
  if (limits.maxConnections === 0) return;
  let open = 0;
  server.on('connection', (socket: Socket) => {
    if (open >= limits.maxConnections) {
      socket.on('error', () => {});
      socket.end(TOO_MANY_CONNECTIONS);
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      return;
    }
    open += 1;
    socket.once('close', () => {
      open -= 1;
    });
  });
}

/**
 * An answer given before the request's body was read whole (401, 413, 408, 429): the connection is closed
 * after it (`Connection: close`, then closed for good shortly after), instead of Node draining the rest of
 * a body nobody wants for as long as the client sends it.
 *
 * @example
 * closeIfUnread(req, res, answer);
 * writeAnswer(res, answer);
 */
export function closeIfUnread(req: IncomingMessage, res: ServerResponse, answer: GatewayResponse): void {
  if (req.complete) return;
  answer.headers.set('connection', 'close');
  res.once('finish', () => {
    req.socket.end();
    setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  });
}
