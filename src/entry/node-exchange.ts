import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type {
  BodyController,
  ClientSignal,
  GatewayRequest,
  GatewayResponse,
  HeaderSource,
} from '../core/index.js';
import { readerOf } from './node-body-reader.js';

/**
 * Request targets the fast path takes: origin-form, only characters that need no URL parsing, no dot
 * segments. Anything else (absolute-form, percent-escapes, `..`) goes through the Web adapter, whose URL
 * parsing the core's path checks were written against. The same test as @hono/node-server's own fast path.
 */
const PLAIN_TARGET = /^\/[!#$&-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/** The path of a request target the fast path may take, or undefined. */
export function plainPath(target: string | undefined): string | undefined {
  if (target === undefined || !PLAIN_TARGET.test(target) || DOT_SEGMENT.test(target)) return undefined;
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** Node's parsed headers (names lowercase; repeated ones joined, set-cookie an array) as the core reads them. */
function headerSource(headers: IncomingHttpHeaders): HeaderSource {
  return {
    get(name) {
      const value = headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    forEach(callback) {
      for (const name in headers) {
        const value = headers[name];
        if (Array.isArray(value)) for (const item of value) callback(item, name);
        else if (value !== undefined) callback(value, name);
      }
    },
  };
}

/** Fires when the connection closes before the response was finished: the client went away. */
function clientSignal(res: ServerResponse): ClientSignal {
  const listeners = new Set<() => void>();
  let aborted = false;
  res.once('close', () => {
    if (res.writableFinished) return;
    aborted = true;
    for (const listener of listeners) listener();
    listeners.clear();
  });
  return {
    get aborted() {
      return aborted;
    },
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
  };
}

/**
 * A Node request as the core reads it, built without a Web `Request`. `target` must be plain (see
 * {@link plainPath}); the host is not the core's business (upstream URLs come from the configuration).
 *
 * @example
 * const answer = await gateway.proxy.handle(nodeRequest(req, res));
 */
export function nodeRequest(req: IncomingMessage, res: ServerResponse): GatewayRequest {
  return {
    method: req.method ?? 'GET',
    url: `http://gateway.invalid${req.url ?? '/'}`,
    headers: headerSource(req.headers),
    body: () => readerOf(req, { onCancel: 'discard' }),
    signal: clientSignal(res),
  };
}

/**
 * Writes a core response to a Node response: headers, then the body as the core makes it, chunk by chunk,
 * waiting for the socket to drain. A client that goes away cancels the body (and so the upstream request);
 * a body that fails midway destroys the connection, so the client's transfer fails rather than ends.
 *
 * @example
 * writeAnswer(res, await gateway.proxy.handle(nodeRequest(req, res)));
 */
export function writeAnswer(res: ServerResponse, answer: GatewayResponse): void {
  const head: string[] = [];
  answer.headers.forEach((value, name) => {
    head.push(name, value);
  });
  res.writeHead(answer.status, head);
  const { body } = answer;
  if (body === null || body instanceof Uint8Array) {
    res.end(body ?? undefined);
    return;
  }
  let finished = false;
  let drained: (() => void) | undefined;
  const controller: BodyController = {
    enqueue(chunk) {
      // Backpressure is checked before the next pull (writableNeedDrain).
      res.write(chunk);
    },
    close() {
      finished = true;
      res.end();
    },
    error() {
      finished = true;
      res.destroy();
    },
  };
  res.once('close', () => {
    drained?.();
    if (finished) return;
    finished = true;
    void Promise.resolve(body.cancel()).catch(() => {});
  });
  const pump = async () => {
    body.start?.(controller);
    while (!finished) {
      if (res.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          res.once('drain', resolve);
        });
        drained = undefined;
        continue;
      }
      await body.pull(controller);
    }
  };
  pump().catch(() => {
    finished = true;
    res.destroy();
  });
}
