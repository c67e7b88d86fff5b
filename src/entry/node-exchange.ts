import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BodyController,
  type BodySource,
  type ClientSignal,
  createAbortLatch,
  type GatewayRequest,
  type GatewayResponse,
  type HeaderSource,
} from '../core/index.js';
import { readerOf } from './node-body-reader.js';

/**
 * Request targets the fast path takes: origin-form, only characters that need no URL parsing, no dot
 * segments. Anything else (absolute-form, percent-escapes, `..`) goes through the Web adapter, whose URL
 * parsing the core's path checks were written against. @hono/node-server's own fast-path test, minus `#`.
 */
const PLAIN_TARGET = /^\/[!$&-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/** The path of a request target the fast path may take, or undefined. */
export function plainPath(target: string | undefined): string | undefined {
  if (target === undefined || !PLAIN_TARGET.test(target) || DOT_SEGMENT.test(target)) return undefined;
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/**
 * The request's headers as sent (`rawHeaders`), as the core reads them: repeated fields joined with ", " as a
 * Web `Headers` joins them. Node's parsed `req.headers` would keep only the first of some (Authorization among
 * them), so the two paths could disagree about a request.
 */
function headerSource(raw: readonly string[]): HeaderSource {
  // Names lowercased once per request, on first use: the core looks up several headers.
  let names: string[] | undefined;
  const lowercase = () => {
    names ??= raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    return names;
  };
  return {
    get(name) {
      const all = lowercase();
      let value: string | null = null;
      for (let i = 0; i < all.length; i++) {
        if (all[i] !== name) continue;
        value = value === null ? (raw[2 * i + 1] as string) : `${value}, ${raw[2 * i + 1]}`;
      }
      return value;
    },
    forEach(callback) {
      const all = lowercase();
      for (let i = 0; i < all.length; i++) callback(raw[2 * i + 1] as string, all[i] as string);
    },
  };
}

/** Fires when the connection closes before the response was finished: the client went away. */
function clientSignal(res: ServerResponse): ClientSignal {
  const latch = createAbortLatch();
  res.once('close', () => {
    if (!res.writableFinished) latch.abort();
  });
  return latch.signal;
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
    headers: headerSource(req.rawHeaders),
    body: () => readerOf(req, { onCancel: 'discard' }),
    signal: clientSignal(res),
  };
}

/** Cancels a body source, whether its `cancel` throws, rejects or resolves. */
function cancelQuietly(body: BodySource): void {
  try {
    void Promise.resolve(body.cancel()).catch(() => {});
  } catch {}
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
  const { body } = answer;
  if (res.destroyed) {
    // The client left while the answer was being made: nothing to write, free the upstream body now.
    if (body !== null && !(body instanceof Uint8Array)) cancelQuietly(body);
    return;
  }
  const head: string[] = [];
  answer.headers.forEach((value, name) => {
    head.push(name, value);
  });
  // Bytes in hand: say how many, as the Web path does (no chunked framing for HTTP/1.0 clients to wait out).
  if (body instanceof Uint8Array && !answer.headers.has('content-length')) {
    head.push('content-length', String(body.byteLength));
  }
  try {
    res.writeHead(answer.status, head);
  } catch {
    // A header Node refuses (a control character from a provider): no answer can be sent; free the attempt.
    if (body !== null && !(body instanceof Uint8Array)) cancelQuietly(body);
    res.destroy();
    return;
  }
  if (body === null || body instanceof Uint8Array) {
    res.end(body ?? undefined);
    return;
  }
  new BodyPump(res, body).run();
}

/**
 * Drives a body source into a Node response, one pull at a time, waiting for the socket to drain: the
 * source's controller too. One object per open stream, its state in fields rather than closures.
 */
class BodyPump implements BodyController {
  readonly #res: ServerResponse;
  readonly #body: BodySource;
  #finished = false;
  #drained: (() => void) | undefined;
  readonly #onClose = () => {
    this.#drained?.();
    if (this.#finished) return;
    this.#finished = true;
    cancelQuietly(this.#body);
  };

  constructor(res: ServerResponse, body: BodySource) {
    this.#res = res;
    this.#body = body;
    res.once('close', this.#onClose);
  }

  enqueue(chunk: Uint8Array): void {
    // Backpressure is checked before the next pull (writableNeedDrain).
    this.#res.write(chunk);
  }

  close(): void {
    this.#finished = true;
    this.#res.end();
  }

  error(): void {
    this.#finished = true;
    this.#res.destroy();
  }

  run(): void {
    void this.#pump();
  }

  async #pump(): Promise<void> {
    const res = this.#res;
    try {
      this.#body.start?.(this);
      while (!this.#finished) {
        if (res.writableNeedDrain) {
          await new Promise<void>((resolve) => {
            this.#drained = resolve;
            res.once('drain', resolve);
          });
          this.#drained = undefined;
          continue;
        }
        await this.#body.pull(this);
      }
    } catch {
      this.error();
    }
  }
}
