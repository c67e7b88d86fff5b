import type { Readable } from 'node:stream';
import type { BodyReader } from '../core/index.js';
import { ChunkQueue } from './chunk-queue.js';

/**
 * A body reader over a Node stream, driven by its events: a chunk already buffered is returned at once, and the
 * stream is paused when chunks pile up unread (backpressure), without Web streams or the async iterator.
 *
 * @example
 * const reader = readerOf(upstreamBody); // await reader.read() -> { done, value }; cancel() destroys it
 * readerOf(incomingMessage, { onCancel: 'discard' }); // cancel() drains the rest, keeping the socket
 */
export function readerOf(stream: Readable, options: { onCancel?: 'destroy' | 'discard' } = {}): BodyReader {
  const queue = new ChunkQueue({ onRoom: () => stream.resume() });
  // Backpressure without churn: paused only once a backlog builds up, not after every chunk.
  stream.on('data', (chunk: Uint8Array) => {
    if (!queue.push(chunk)) stream.pause();
  });
  stream.on('end', () => queue.end());
  stream.on('error', (error: unknown) => queue.fail(error));
  // 'close' follows 'end' on every request: the error (a stack trace to capture) only when the body was cut.
  stream.on('close', () => {
    if (!queue.settled) queue.fail(new Error('body closed early'));
  });
  return {
    read: () => queue.read(),
    async cancel() {
      if (options.onCancel !== 'discard') return void stream.destroy();
      // A request body nobody wants (a 413): let the rest drain away, so the answer still reaches the client.
      queue.clear();
      stream.removeAllListeners('data');
      stream.resume();
    },
  };
}
