import { RateLimitError } from '../errors/gateway-error.js';
import type { GatewayResponse } from '../exchange/exchange.js';
import type { RequestRecord } from '../exchange/request-record.js';
import { type ConcurrencyLimit, createConcurrencyLimit } from './concurrency-limit.js';

/** Per client key, the most requests in flight and event streams open at once (0: no cap). */
export interface KeySlotLimits {
  maxRequests: number;
  maxStreams: number;
}

/**
 * The slots each client key holds: a request slot from the key check until its answer's body has ended, and a
 * stream slot for an event stream among them. Past either limit, 429 `rate_limit_exceeded` with `Retry-After: 1`.
 * Every slot is given back exactly once: at once for an answer read whole or a failure, when the body ends
 * (completed, failed, cancelled) for one still open.
 *
 * @example
 * const slots = createKeySlots({ maxRequests: 1024, maxStreams: 512 });
 * slots.enter(key); // throws a 429 past the limit
 * try { answer = await forward(request, record); } catch (error) { slots.leave(key); throw error; }
 * return slots.hold(key, answer, record);
 */
export function createKeySlots(limits: KeySlotLimits): KeySlots {
  return new KeySlots(limits);
}

export class KeySlots {
  readonly #requests: ConcurrencyLimit = createConcurrencyLimit();
  readonly #streams: ConcurrencyLimit = createConcurrencyLimit();
  readonly #maxRequests: number;
  readonly #maxStreams: number;

  constructor(limits: KeySlotLimits) {
    this.#maxRequests = limits.maxRequests;
    this.#maxStreams = limits.maxStreams;
  }

  /** Takes a request slot for `key`, or throws the 429. */
  enter(key: string): void {
    if (this.#requests.acquire(key, this.#maxRequests)) return;
    throw new RateLimitError(
      `This API key already has ${this.#maxRequests} requests in flight (MAX_CONCURRENT_REQUESTS_PER_KEY). Retry when one has finished.`,
      { retryAfterSeconds: 1 },
    );
  }

  /** Gives back the request slot of a request that failed before it had an answer. */
  leave(key: string): void {
    this.#requests.release(key);
  }

  /**
   * The answer, its slots kept until its body ends; or, for an event stream past the stream limit, the answer
   * cancelled and the 429 thrown.
   */
  hold(key: string, answer: GatewayResponse, record: RequestRecord): GatewayResponse {
    const done = record.done;
    if (done === undefined) {
      this.#requests.release(key);
      return answer;
    }
    const stream = answer.headers.get('content-type')?.startsWith('text/event-stream') === true;
    if (stream && !this.#streams.acquire(key, this.#maxStreams)) {
      discard(answer);
      this.#requests.release(key);
      throw new RateLimitError(
        `This API key already has ${this.#maxStreams} streams open (MAX_OPEN_STREAMS_PER_KEY). Retry when one has finished.`,
        { retryAfterSeconds: 1 },
      );
    }
    void done.then(() => {
      this.#requests.release(key);
      if (stream) this.#streams.release(key);
    });
    return answer;
  }
}

/** Cancels a body source that will not be sent, whatever its `cancel` does. */
function discard(answer: GatewayResponse): void {
  const { body } = answer;
  if (body === null || body instanceof Uint8Array) return;
  try {
    void Promise.resolve(body.cancel()).catch(() => {});
  } catch {}
}
