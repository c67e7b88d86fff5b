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
  const onData = (chunk: Uint8Array) => {
    if (!queue.push(chunk)) stream.pause();
  };
  const onError = (error: unknown) => queue.fail(error);
  // 'close' follows 'end' on every request: the error (a stack trace to capture) only when the body was cut.
  const onClose = () => {
    if (!queue.settled) queue.fail(new Error('body closed early'));
  };
  const onEnd = () => {
    queue.end();
    // Nothing more can come: let go of this reader, which an open stream's request would keep to its end.
    stream.off('data', onData);
    stream.off('error', onError);
    stream.off('close', onClose);
    stream.on('error', ignore);
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.on('error', onError);
  stream.on('close', onClose);
  return {
    read: () => queue.read(),
    takeRest: () => queue.takeRest(),
    async cancel() {
      if (options.onCancel !== 'discard') return void stream.destroy();
      // A request body nobody wants (a 413): let the rest drain away, so the answer still reaches the client.
      queue.clear();
      stream.removeAllListeners('data');
      stream.resume();
    },
  };
}

/** After the end, an error (a socket reset) concerns nobody here; without a listener it would be thrown. */
function ignore(): void {}
