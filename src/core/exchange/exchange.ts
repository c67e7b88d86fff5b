import type { HeaderMap } from './header-map.js';

/** What listens for an abort: an `AbortSignal` is one, and so is the core's abort latch's signal. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A response body read chunk by chunk. A `ReadableStreamDefaultReader` is one. */
export interface BodyReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason?: unknown): Promise<void>;
  /**
   * Optional: everything left of a body that has already arrived whole, taken at once with no read (later
   * reads get `done`); undefined when more may come. Lets a small answer be held without a read per chunk.
   */
  takeRest?(): Uint8Array[] | undefined;
}

/**
 * The headers the core reads from a request. A Web `Headers` is one; a runtime adapter can offer its own
 * (names lowercase) without building a `Headers`.
 */
export interface HeaderSource {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
}

/** Tells the core that the client went away. An `AbortSignal` is one. */
export type ClientSignal = AbortSignalLike;

/**
 * A request as the core reads it: what a Web `Request` gives ({@link fromWebRequest}), or what a runtime's
 * own server gives without building one (the Node entry's fast path).
 */
export interface GatewayRequest {
  readonly method: string;
  /** The absolute request URL, as `Request.url` gives it (dot segments resolved). */
  readonly url: string;
  readonly headers: HeaderSource;
  /** The body, read on demand; null when there is none. */
  body(): BodyReader | null;
  readonly signal: ClientSignal;
}

/** What a body producer may do: hand on a chunk, end, or fail. A `ReadableStreamDefaultController` is one. */
export interface BodyController {
  enqueue(chunk: Uint8Array): void;
  close(): void;
  error(reason?: unknown): void;
}

/**
 * A response body made on demand: each `pull` hands on at most what one upstream read gave. The shape of a
 * `ReadableStream` source with high-water mark 0 ({@link bodyStream}), so a runtime adapter can also drive it
 * straight into its socket.
 */
export interface BodySource {
  start?(controller: BodyController): void;
  pull(controller: BodyController): void | Promise<void>;
  cancel(reason?: unknown): void | Promise<void>;
}

/** A response as the core makes it: bytes, a body made on demand, or none. */
export interface GatewayResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: Uint8Array<ArrayBuffer> | BodySource | null;
}

/**
 * A Web stream over a body source: nothing is pulled before the client reads (high-water mark 0).
 *
 * @example
 * new Response(bodyStream(observeBody(reader, { onEnd })));
 */
export function bodyStream(source: BodySource): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(source as UnderlyingSource<Uint8Array>, { highWaterMark: 0 });
}

/**
 * A Web `Request` as the core reads it.
 *
 * @example
 * const answer = await proxy(fromWebRequest(c.req.raw));
 */
export function fromWebRequest(request: Request): GatewayRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: () => request.body?.getReader() ?? null,
    signal: request.signal,
  };
}

/**
 * The Web `Response` for a core response.
 *
 * @example
 * return toWebResponse(await proxy(fromWebRequest(request)));
 */
export function toWebResponse(answer: GatewayResponse): Response {
  const { body } = answer;
  return new Response(body === null || body instanceof Uint8Array ? body : bodyStream(body), {
    status: answer.status,
    headers: Array.from(answer.headers),
  });
}
