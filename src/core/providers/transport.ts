import type { AbortSignalLike, BodyReader, HeaderSource } from '../exchange/exchange.js';
import type { HeaderMap } from '../exchange/header-map.js';
import { contentCoding, decodedHeaders, limitDecoded } from './decoded-limit.js';

/** What the gateway sends upstream for one attempt. */
export interface UpstreamRequest {
  method: string;
  headers: HeaderMap;
  body: Uint8Array<ArrayBuffer> | undefined;
  /** Aborts the attempt (a light signal: {@link fetchTransport} bridges it to an `AbortSignal`). */
  signal: AbortSignalLike;
  /** The most bytes a compressed answer may decode to (`MAX_DECODED_BODY_BYTES`); past it the body fails. */
  maxDecodedBytes: number;
}

/**
 * What came back: status, headers and a body reader. The headers describe the body as given: a transport that
 * decodes a compressed body leaves Content-Encoding and the encoded Content-Length out of them; one it cannot
 * decode comes with its Content-Encoding, untouched (or the transport fails the attempt).
 */
export interface UpstreamResponse {
  status: number;
  /** Names lowercase; a Web `Headers` is one. */
  headers: HeaderSource;
  body: BodyReader | null;
}

/**
 * How the core reaches a provider. Workers use the runtime's `fetch` ({@link fetchTransport}); the Node entry
 * gives a faster one on undici's connection pools. Redirects are never followed.
 */
export type UpstreamTransport = (url: string, request: UpstreamRequest) => Promise<UpstreamResponse>;

/** The subset of `fetch` the fetch transport calls. `globalThis.fetch` fits. */
export type UpstreamFetch = (url: string, init: RequestInit) => Promise<Response>;

/** The codings every runtime's `fetch` decodes by itself, one at a time (workerd leaves deflate encoded). */
const FETCH_DECODES = new Set(['gzip', 'br']);

/**
 * An upstream answer in an encoding the gateway cannot pass on faithfully: the attempt fails
 * (`unsupported_encoding`).
 *
 * @example
 * if (error instanceof UnsupportedEncodingError) return fail({ kind: 'unsupported_encoding' });
 */
export class UnsupportedEncodingError extends Error {
  constructor(coding: string) {
    super(`The upstream answer is encoded as "${coding.slice(0, 40)}", which the gateway cannot decode.`);
    this.name = 'UnsupportedEncodingError';
  }
}

/**
 * A transport on a Web `fetch`, which decodes gzip and br itself: such an answer comes without its
 * Content-Encoding, its decoded size capped. Whether `fetch` decoded anything else (stacked or unknown
 * codings) differs between runtimes, so such an answer fails the attempt rather than reaching the client
 * under a header that may lie.
 *
 * @example
 * const transport = fetchTransport((url, init) => fetch(url, init));
 */
export function fetchTransport(fetchFn: UpstreamFetch): UpstreamTransport {
  return async function viaFetch(url, request) {
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (request.signal.aborted) abort();
    else request.signal.addEventListener('abort', abort, { once: true });
    const response = await fetchFn(url, {
      method: request.method,
      headers: Array.from(request.headers),
      body: request.body ?? null,
      signal: controller.signal,
      redirect: 'manual',
    });
    const body = response.body?.getReader() ?? null;
    const coding = contentCoding(response.headers);
    if (coding === undefined) return { status: response.status, headers: response.headers, body };
    if (!FETCH_DECODES.has(coding)) {
      await body?.cancel().catch(() => {});
      throw new UnsupportedEncodingError(coding);
    }
    return {
      status: response.status,
      headers: decodedHeaders(response.headers),
      body: body === null ? null : limitDecoded(body, request.maxDecodedBytes),
    };
  };
}
