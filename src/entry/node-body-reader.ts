import type { Readable } from 'node:stream';
import type { BodyReader } from '../core/index.js';

/** Chunks a reader may hold before it pauses the stream (and so its socket). */
const MAX_QUEUED_CHUNKS = 16;

/**
 * A body reader over a Node stream, driven by its events: a chunk already buffered is returned at once, and the
 * stream is paused when chunks pile up unread (backpressure), without Web streams or the async iterator.
 *
 * @example
 * const reader = readerOf(upstreamBody); // await reader.read() -> { done, value }; cancel() destroys it
 * readerOf(incomingMessage, { onCancel: 'discard' }); // cancel() drains the rest, keeping the socket
 */
export function readerOf(stream: Readable, options: { onCancel?: 'destroy' | 'discard' } = {}): BodyReader {
  const queued: Uint8Array[] = [];
  let ended = false;
  let failure: unknown;
  let waiting:
    | { resolve: (result: ReadableStreamReadResult<Uint8Array>) => void; reject: (error: unknown) => void }
    | undefined;
  const settle = () => {
    if (waiting === undefined) return;
    const { resolve, reject } = waiting;
    const chunk = queued.shift();
    if (chunk !== undefined) {
      waiting = undefined;
      resolve({ done: false, value: chunk });
    } else if (failure !== undefined) {
      waiting = undefined;
      reject(failure);
    } else if (ended) {
      waiting = undefined;
      resolve({ done: true, value: undefined });
    }
  };
  stream.on('data', (chunk: Uint8Array) => {
    queued.push(chunk);
    // Backpressure without churn: pause only once a backlog builds up, not after every chunk.
    if (queued.length >= MAX_QUEUED_CHUNKS) stream.pause();
    settle();
  });
  stream.on('end', () => {
    ended = true;
    settle();
  });
  stream.on('error', (error: unknown) => {
    failure = error;
    settle();
  });
  stream.on('close', () => {
    if (!ended && failure === undefined) failure = new Error('body closed early');
    settle();
  });
  return {
    read() {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        settle();
        if (queued.length < MAX_QUEUED_CHUNKS && stream.isPaused()) stream.resume();
      });
    },
    async cancel() {
      if (options.onCancel !== 'discard') return void stream.destroy();
      // A request body nobody wants (a 413): let the rest drain away, so the answer still reaches the client.
      queued.length = 0;
      stream.removeAllListeners('data');
      stream.resume();
    },
  };
}
