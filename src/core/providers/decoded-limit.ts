import type { BodyReader, HeaderSource } from '../exchange/exchange.js';

/**
 * A compressed answer decoded past its cap (`MAX_DECODED_BODY_BYTES`): a decompression bomb, or as good as one.
 * The attempt fails (`decoded_too_large`); its message names the setting, nothing of the body.
 *
 * @example
 * if (error instanceof DecodedBodyTooLargeError) return { ok: false, reason: 'too_large' };
 */
export class DecodedBodyTooLargeError extends Error {
  constructor(maxBytes: number) {
    super(`The upstream answer decodes to more than ${maxBytes} bytes (MAX_DECODED_BODY_BYTES).`);
    this.name = 'DecodedBodyTooLargeError';
  }
}

/**
 * The encoding an upstream answer names, trimmed and lowercased (`gzip, br` stays whole), or undefined when it
 * names none (or `identity`).
 *
 * @example
 * contentCoding(new Headers({ 'content-encoding': ' GZIP ' })); // 'gzip'
 */
export function contentCoding(headers: HeaderSource): string | undefined {
  const value = headers.get('content-encoding');
  if (value === null) return undefined;
  const coding = value.trim().toLowerCase();
  return coding === '' || coding === 'identity' ? undefined : coding;
}

/**
 * The headers of an answer whose body was decoded: Content-Encoding and the encoded Content-Length would lie
 * about the bytes that follow, so both are left out.
 *
 * @example
 * decodedHeaders(response.headers).get('content-encoding'); // null
 */
export function decodedHeaders(headers: HeaderSource): HeaderSource {
  return {
    get: (name) => (name === 'content-encoding' || name === 'content-length' ? null : headers.get(name)),
    forEach(callback) {
      headers.forEach((value, name) => {
        if (name !== 'content-encoding' && name !== 'content-length') callback(value, name);
      });
    },
  };
}

/**
 * A decoded body that fails with {@link DecodedBodyTooLargeError} (and cancels the source) once more than
 * `maxBytes` came out of it. Reads are passed on one for one: the decoder expands only what is read.
 *
 * @example
 * const body = limitDecoded(response.body.getReader(), 64 << 20);
 */
export function limitDecoded(reader: BodyReader, maxBytes: number): BodyReader {
  return new LimitedReader(reader, maxBytes);
}

class LimitedReader implements BodyReader {
  readonly #reader: BodyReader;
  readonly #maxBytes: number;
  #seen = 0;

  constructor(reader: BodyReader, maxBytes: number) {
    this.#reader = reader;
    this.#maxBytes = maxBytes;
  }

  async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const result = await this.#reader.read();
    if (result.done) return result;
    this.#seen += result.value.byteLength;
    if (this.#seen > this.#maxBytes) {
      this.#reader.cancel().catch(() => {});
      throw new DecodedBodyTooLargeError(this.#maxBytes);
    }
    return result;
  }

  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason);
  }
}
