/** What listens for an abort: an `AbortSignal` is one, and so is {@link createAbortLatch}'s signal. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** An abort switch: `abort()` once, `signal` tells the listeners. */
export interface AbortLatch {
  readonly signal: AbortSignalLike;
  abort(): void;
}

/**
 * A light `AbortController` for the gateway's own attempts: Node 20's costs several microseconds per request
 * (an EventTarget with its internals), measured in `npm run bench`'s CPU profile. Listeners are called once,
 * in order; `fetchTransport` bridges it to a real `AbortSignal` where a runtime needs one.
 *
 * @example
 * const latch = createAbortLatch();
 * latch.signal.addEventListener('abort', () => socket.destroy(), { once: true });
 * latch.abort();
 */
export function createAbortLatch(): AbortLatch {
  let listeners: (() => void)[] | undefined;
  const signal = {
    aborted: false,
    addEventListener(_type: 'abort', listener: () => void) {
      if (signal.aborted) return;
      listeners ??= [];
      listeners.push(listener);
    },
    removeEventListener(_type: 'abort', listener: () => void) {
      const index = listeners?.indexOf(listener) ?? -1;
      if (index !== -1) listeners?.splice(index, 1);
    },
  };
  return {
    signal,
    abort() {
      if (signal.aborted) return;
      signal.aborted = true;
      const called = listeners ?? [];
      listeners = undefined;
      for (const listener of called) listener();
    },
  };
}
