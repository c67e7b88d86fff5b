import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Config,
  createGateway,
  errorResponse,
  GatewayError,
  InvalidRequestError,
  jsonConsoleLogger,
  type Logger,
  toWebResponse,
  type UpstreamTransport,
} from '../core/index.js';
import { closeIfUnread, guardServer } from './client-limits.js';
import { coarseTimers } from './coarse-timers.js';
import { nodeRequest, plainPath, writeAnswer } from './node-exchange.js';
import { undiciTransport } from './node-transport.js';
import { guardWebAnswer } from './web-answer-guard.js';

export interface NodeGatewayServer {
  /** `http://host:port`, with the port actually bound (useful with PORT=0). */
  readonly url: string;
  /**
   * Stops accepting connections, lets requests and streams in flight finish for up to `graceMs`
   * (default 0), then closes whatever is still open.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface StartNodeServerOptions {
  config: Config;
  logger?: Logger;
  /** How providers are reached; defaults to undici's connection pools. */
  transport?: UpstreamTransport;
}

type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Serves the gateway core over `node:http` on `config.host:config.port`. `/v1/*` and `/health` are served on
 * Node's own request and response (the core's proxy route, which makes every decision); the rest through
 * Hono's Web adapter, loaded on first use.
 *
 * @example
 * const server = await startNodeServer({ config: parseConfig(process.env) });
 * console.log(server.url); // http://127.0.0.1:8787
 */
export async function startNodeServer(options: StartNodeServerOptions): Promise<NodeGatewayServer> {
  const { config } = options;
  const gateway = createGateway({
    config,
    runtime: 'node',
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    transport: options.transport ?? undiciTransport(),
    startTimer: coarseTimers(),
  });
  // Everything but the proxy route goes through Hono's Web Request/Response adapter. It is imported on the
  // first such request: it loads Node's own fetch implementation (Request, Response, Headers), 6.5 MB of
  // RSS measured, which a gateway that only proxies and answers probes never needs. (It also puts its own
  // Request and Response in place of the globals, from then on.)
  let webListener: Promise<NodeListener> | undefined;
  const loadWebListener = async (): Promise<NodeListener> => {
    const { getRequestListener } = await import('@hono/node-server');
    return getRequestListener(
      // Only node:http's server here (no HTTP/2): its outgoing is a ServerResponse.
      (request: Request, env: { outgoing: unknown }) =>
        guardWebAnswer(gateway.fetch(request), env.outgoing as ServerResponse),
      {
        hostname: config.host,
        // The app answers its own errors; whatever still escapes gets OpenAI's shape, never its message.
        errorHandler: (error) => {
          const requestId = randomUUID();
          logger({
            level: 'error',
            msg: 'web adapter failed',
            requestId,
            error: error instanceof Error ? error.name : typeof error,
          });
          // A request the adapter could not even build (a target like `*`) is the client's: 400, not a bug.
          const known =
            error instanceof GatewayError
              ? error
              : error instanceof Error && error.name === 'RequestError'
                ? new InvalidRequestError('The request target or its headers could not be read.', {
                    status: 400,
                    code: 'invalid_request',
                  })
                : new Error();
          return toWebResponse(errorResponse(known, requestId));
        },
      },
    );
  };
  const logger = options.logger ?? jsonConsoleLogger;
  /** The adapter could not be loaded (a broken install): a 500 naming a request id, and a log line. */
  const webFailed = (res: ServerResponse, error: unknown) => {
    const requestId = randomUUID();
    logger({
      level: 'error',
      msg: 'web adapter failed',
      requestId,
      error: error instanceof Error ? error.name : typeof error,
    });
    if (res.headersSent) res.destroy();
    else writeAnswer(res, errorResponse(error, requestId));
  };
  const { proxy } = gateway;
  // Node checks its headers and request timeouts this often: often enough for a short CLIENT_HEADERS_TIMEOUT_MS.
  const connectionsCheckingInterval = Math.min(
    30_000,
    Math.max(100, Math.floor(config.clientHeadersTimeoutMs / 4)),
  );
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    const path = plainPath(req.url);
    if (path === undefined || !proxy.claims(req.method ?? 'GET', path)) {
      webListener ??= loadWebListener().catch((error: unknown) => {
        // Not for good: the next request tries again.
        webListener = undefined;
        throw error;
      });
      webListener.then((listener) => listener(req, res)).catch((error: unknown) => webFailed(res, error));
      return;
    }
    // The hot path: the core's proxy route on Node's own request and response, no Web objects in between.
    proxy
      .handle(nodeRequest(req, res))
      .then((answer) => {
        closeIfUnread(req, res, answer);
        writeAnswer(res, answer);
      })
      .catch(() => res.destroy());
  });
  guardServer(server, {
    headersTimeoutMs: config.clientHeadersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxConnections: config.maxConnections,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: ({ graceMs = 0 } = {}) =>
      new Promise<void>((resolve) => {
        // Idle keep-alive connections would hold close() open: close each as soon as it has nothing in flight.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(deadline);
          resolve();
        });
        server.closeIdleConnections();
        if (graceMs === 0) server.closeAllConnections();
      }),
  };
}
