import type { AbortSignalLike, BodyReader, HeaderSource } from '../exchange/exchange.js';
import type { HeaderMap } from '../exchange/header-map.js';

/** What the gateway sends upstream for one attempt. */
export interface UpstreamRequest {
  method: string;
  headers: HeaderMap;
  body: Uint8Array<ArrayBuffer> | undefined;
  /** Aborts the attempt (a light signal: {@link fetchTransport} bridges it to an `AbortSignal`). */
  signal: AbortSignalLike;
}

/**
 * What came back: status, headers and a body reader. The body is already decoded: a transport that receives a
 * compressed body decodes it (the gateway drops Content-Encoding and an encoded Content-Length).
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

/**
 * A transport on a Web `fetch` (which decodes compressed bodies itself).
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
    return { status: response.status, headers: response.headers, body: response.body?.getReader() ?? null };
  };
}
