import type { AbortSignalLike } from '../exchange/exchange.js';

/** An abort switch: `abort()` once, `signal` tells the listeners. */
export interface AbortLatch {
  readonly signal: AbortSignalLike;
  abort(): void;
}

/** The signal of a {@link createAbortLatch} latch: listeners kept in an array, called once, in order. */
class LatchSignal implements AbortSignalLike {
  aborted = false;
  #listeners: (() => void)[] | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    // Most signals get one listener: a literal holds one slot, where a push into [] makes room for 17.
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners?.indexOf(listener) ?? -1;
    if (index !== -1) this.#listeners?.splice(index, 1);
  }

  /** Its latch's `abort()`. */
  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    const called = this.#listeners ?? [];
    this.#listeners = undefined;
    for (const listener of called) listener();
  }
}

class Latch implements AbortLatch {
  readonly signal = new LatchSignal();

  abort(): void {
    this.signal.fire();
  }
}

/**
 * A light `AbortController` for the gateway's own attempts: Node 20's costs several microseconds per request
 * (an EventTarget with its internals), measured in `npm run bench`'s CPU profile. Listeners are called once,
 * in order; `fetchTransport` bridges it to a real `AbortSignal` where a runtime needs one. Two small objects,
 * no closures: one is made per request and per attempt, and lives as long as a stream does.
 *
 * @example
 * const latch = createAbortLatch();
 * latch.signal.addEventListener('abort', () => socket.destroy(), { once: true });
 * latch.abort();
 */
export function createAbortLatch(): AbortLatch {
  return new Latch();
}
