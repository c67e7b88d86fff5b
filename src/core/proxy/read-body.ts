import { InvalidRequestError } from '../errors/gateway-error.js';
import type { GatewayRequest } from '../exchange/exchange.js';
import { concatBytes } from './bytes.js';

function tooLarge(maxBytes: number): InvalidRequestError {
  return new InvalidRequestError(
    `The request body is larger than this gateway accepts (${maxBytes} bytes, set by MAX_BODY_BYTES).`,
    { status: 413, code: 'request_too_large' },
  );
}

/**
 * Reads a request body into memory, byte for byte, refusing it (413) as soon as it passes `maxBytes`:
 * at once when Content-Length says so, otherwise while it streams in. Done once Content-Length bytes are in
 * (the server framed the body by them), without waiting for the stream's end. The bytes are kept so that the
 * same body can be sent again to another provider. GET and HEAD have no body.
 *
 * @example
 * const body = await readBody(fromWebRequest(request), { maxBytes: 50 * 1024 * 1024 }); // Uint8Array | undefined
 */
export async function readBody(
  request: GatewayRequest,
  options: { maxBytes: number },
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const { maxBytes } = options;
  const declared = request.headers.get('content-length');
  const expected = declared === null ? -1 : Number(declared);
  if (expected > maxBytes) throw tooLarge(maxBytes);
  const reader = request.body();
  if (reader === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
    // All the declared bytes are in (the server framed the body by them): no need to wait for the end.
    if (length === expected) break;
  }
  return concatBytes(chunks);
}
