import type { Dispatcher } from 'undici';
import { headerNameToString } from 'undici/lib/core/util.js';
import type { AbortSignalLike, BodyReader, HeaderSource, UpstreamResponse } from '../core/index.js';
import { ChunkQueue, DEFAULT_HIGH_WATER_MARK } from './chunk-queue.js';

// What a header value may hold (RFC 9110 §5.5: field-content, with obs-text). Node refuses anything else when
// it writes the answer; a value decoded from stray bytes (U+FFFD) would otherwise get that far.
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * An answer's header lines as undici hands them over (name, value, name, value..., as `Buffer`s) and as the core
 * reads them: names lowercase (well-known ones looked up from their bytes, as undici does), values read as UTF-8
 * (as undici's own `request` reads them), a repeated field once, its values joined with ", ", where it first
 * appeared. Throws, as building a Web `Headers` would, for a value that no HTTP answer may carry: the attempt
 * then fails and another provider is tried.
 *
 * @example
 * answerHeaders(['Vary', 'Origin', 'vary', 'Accept'].map((line) => Buffer.from(line))).get('vary'); // 'Origin, Accept'
 */
export function answerHeaders(raw: readonly (Buffer | string)[]): HeaderSource {
  const fields: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = headerNameToString(raw[i] as Buffer | string);
    // A method call, not String(): String() on a Buffer looks up Symbol.toPrimitive and toString along its
    // prototype chain (the generic, slow property lookup): 2 µs per request in a perf profile.
    const value = (raw[i + 1] as Buffer | string).toString();
    if (INVALID_VALUE.test(value)) {
      throw new TypeError(`The provider sent an invalid value for the ${name} header.`);
    }
    let seen = 0;
    while (seen < fields.length && fields[seen] !== name) seen += 2;
    if (seen < fields.length) fields[seen + 1] = `${fields[seen + 1]}, ${value}`;
    else fields.push(name, value);
  }
  return {
    get(name) {
      for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1] as string;
      return null;
    },
    forEach(callback) {
      for (let i = 0; i < fields.length; i += 2) callback(fields[i + 1] as string, fields[i] as string);
    },
  };
}

type Answer = { resolve: (response: UpstreamResponse) => void; reject: (error: unknown) => void };

const aborted = () => new Error('The attempt was aborted.');

/**
 * One exchange with a provider on undici's dispatcher, as its handler: the answer (status and headers) once
 * they arrive, then the body as a {@link BodyReader} fed straight from undici's parser. What undici's `request`
 * adds per request (an async resource, a Node stream for the body, a header object) is not made. The
 * connection is paused while {@link DEFAULT_HIGH_WATER_MARK} chunks wait unread; the signal aborts the exchange at any
 * point (the answer, or the body being read, then fails), and cancelling the body closes the connection.
 *
 * @example
 * const answer = await new Promise<UpstreamResponse>((resolve, reject) => {
 *   dispatcher.dispatch({ origin, path, method, headers, body }, new UndiciExchange({ signal, resolve, reject }));
 * });
 * const { done, value } = await answer.body.read();
 */
export class UndiciExchange implements Dispatcher.DispatchHandler, BodyReader {
  /** Waiting for the answer's head; undefined once it is settled. */
  #answer: Answer | undefined;
  readonly #signal: AbortSignalLike;
  /** undici's way to abort, once the request has a connection. */
  #abortUndici: ((reason: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  readonly #body = new ChunkQueue({ onRoom: () => this.#resume?.() });
  #failure: Error | undefined;
  readonly #onAbort = () => this.#stop(aborted());

  constructor(options: { signal: AbortSignalLike } & Answer) {
    this.#answer = { resolve: options.resolve, reject: options.reject };
    this.#signal = options.signal;
    if (this.#signal.aborted) this.#stop(aborted());
    else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Ends the exchange with `reason`: the answer (if still awaited) and any read fail with it. */
  #stop(reason: Error): void {
    if (this.#body.settled) return;
    this.#fail(reason);
    this.#abortUndici?.(reason);
  }

  #fail(reason: Error): void {
    this.#failure ??= reason;
    this.#signal.removeEventListener('abort', this.#onAbort);
    const answer = this.#answer;
    this.#answer = undefined;
    answer?.reject(reason);
    this.#body.fail(reason);
  }

  onConnect(abort: (reason: Error) => void): void {
    // Aborted while waiting for a connection: nothing is sent.
    if (this.#failure !== undefined) abort(this.#failure);
    else this.#abortUndici = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx answers (100 Continue, 103 Early Hints) are interim: the final one follows.
    if (statusCode < 200) return true;
    const answer = this.#answer;
    if (answer === undefined) return false;
    this.#resume = resume;
    let headers: HeaderSource;
    try {
      headers = answerHeaders(rawHeaders);
    } catch (error) {
      // The answer fails with it, and nobody will read this body: free the connection now.
      this.#stop(error as Error);
      return false;
    }
    this.#answer = undefined;
    answer.resolve({ status: statusCode, headers, body: this });
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#failure !== undefined) return false;
    // undici hands on an empty chunk when a paused parser resumes: nothing to queue, nor to pause for.
    if (chunk.byteLength === 0) return true;
    // False pauses the connection until a read makes room (then `resume`).
    return this.#body.push(chunk);
  }

  onComplete(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#body.end();
  }

  onError(error: Error): void {
    this.#fail(error);
  }

  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.#body.read();
  }

  takeRest(): Uint8Array[] | undefined {
    return this.#body.takeRest();
  }

  async cancel(): Promise<void> {
    this.#body.clear();
    this.#stop(new Error('The body was cancelled.'));
  }
}
