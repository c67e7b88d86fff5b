import { InvalidRequestError, RequestTimeoutError } from '../errors/gateway-error.js';
import { concatBytes } from '../exchange/bytes.js';
import type { BodyReader, GatewayRequest } from '../exchange/exchange.js';
import { runtimeTimer, type StartTimer, type TimerHandle } from '../resilience/start-timer.js';

function tooLarge(maxBytes: number): InvalidRequestError {
  return new InvalidRequestError(
    `The request body is larger than this gateway accepts (${maxBytes} bytes, set by MAX_BODY_BYTES).`,
    { status: 413, code: 'request_too_large' },
  );
}

/** How long a client may take to send its body. */
export interface UploadTimeouts {
  /** The longest wait for the next chunk (`CLIENT_BODY_TIMEOUT_MS`). */
  idleMs: number;
  /** When the request's whole budget ends (epoch ms, `REQUEST_TIMEOUT_MS` after it began). */
  deadline: number;
  now: () => number;
  startTimer?: StartTimer | undefined;
}

export interface ReadBodyOptions {
  maxBytes: number;
  /** Without them, the body is waited for as long as the client takes. */
  timeouts?: UploadTimeouts | undefined;
}

/**
 * Reads a request body into memory, byte for byte, refusing it (413) as soon as it passes `maxBytes`:
 * at once when Content-Length says so, otherwise while it streams in. Done once Content-Length bytes are in
 * (the server framed the body by them), without waiting for the stream's end. The bytes are kept so that the
 * same body can be sent again to another provider. GET and HEAD have no body. A client that goes silent for
 * `timeouts.idleMs`, or is still sending when the request's deadline comes, gets 408.
 *
 * @example
 * const body = await readBody(fromWebRequest(request), { maxBytes: 50 * 1024 * 1024 }); // Uint8Array | undefined
 */
export async function readBody(
  request: GatewayRequest,
  options: ReadBodyOptions,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const { maxBytes } = options;
  const declared = request.headers.get('content-length');
  const expected = declared === null ? -1 : Number(declared);
  if (expected > maxBytes) throw tooLarge(maxBytes);
  const body = request.body();
  if (body === null) return new Uint8Array(0);
  const watch = options.timeouts === undefined ? undefined : new UploadWatch(body, options.timeouts);
  const reader = watch ?? body;
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await body.cancel();
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
      // All the declared bytes are in (the server framed the body by them): no need to wait for the end.
      if (length === expected) break;
    }
  } finally {
    watch?.stop();
  }
  return concatBytes(chunks);
}

/**
 * Reads through `body`, failing a pending read with 408 when the client has been silent for `idleMs` or the
 * deadline has come. One timer for both, re-armed only when it fires early.
 */
class UploadWatch {
  readonly #body: BodyReader;
  readonly #timeouts: UploadTimeouts;
  readonly #startTimer: StartTimer;
  #timer: TimerHandle | undefined;
  /** When the pending read started; negative while none is pending. */
  #readingSince = -1;
  #fail: ((error: unknown) => void) | undefined;
  #failure: RequestTimeoutError | undefined;
  readonly #check = () => {
    const { idleMs, deadline, now } = this.#timeouts;
    const time = now();
    const quiet = this.#readingSince < 0 ? 0 : time - this.#readingSince;
    if (time >= deadline || quiet >= idleMs) {
      this.#timer = undefined;
      this.#failure = new RequestTimeoutError(
        time >= deadline
          ? 'The request body was still arriving when the request timed out (REQUEST_TIMEOUT_MS).'
          : `The request body stalled: nothing arrived for ${idleMs} ms (CLIENT_BODY_TIMEOUT_MS).`,
      );
      this.#body.cancel().catch(() => {});
      this.#fail?.(this.#failure);
      return;
    }
    this.#timer = this.#startTimer(Math.min(idleMs - quiet, deadline - time), this.#check);
  };

  constructor(body: BodyReader, timeouts: UploadTimeouts) {
    this.#body = body;
    this.#timeouts = timeouts;
    this.#startTimer = timeouts.startTimer ?? runtimeTimer;
    const time = timeouts.now();
    this.#timer = this.#startTimer(
      Math.max(0, Math.min(timeouts.idleMs, timeouts.deadline - time)),
      this.#check,
    );
  }

  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#readingSince = this.#timeouts.now();
    return new Promise((resolve, reject) => {
      this.#fail = reject;
      this.#body.read().then(
        (result) => {
          this.#readingSince = -1;
          this.#fail = undefined;
          if (this.#failure === undefined) resolve(result);
        },
        (error: unknown) => {
          this.#readingSince = -1;
          this.#fail = undefined;
          reject(this.#failure ?? error);
        },
      );
    });
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
