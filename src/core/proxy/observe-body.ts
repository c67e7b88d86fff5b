/** How a response body ended: read to the end, cancelled by the client, or failed upstream. */
export type BodyOutcome = 'complete' | 'cancelled' | 'failed';

export interface ObserveBodyOptions {
  /** Called once, when the body is done for whatever reason. */
  onEnd: (outcome: BodyOutcome) => void;
  /**
   * For event streams: the bytes to send when the upstream fails after the stream started, so that the
   * client sees an error event rather than a stream that merely stops (and looks complete).
   */
  failureEvent?: Uint8Array;
}

/**
 * Wraps a body so the gateway learns when it ends, without buffering: nothing is read from upstream
 * until the client asks for it (high-water mark 0), and each chunk is handed on as it is. A client that
 * goes away cancels the upstream body, which aborts the upstream request.
 *
 * @example
 * new Response(observeBody(upstream.body, { onEnd: (outcome) => log(outcome) }), upstream);
 */
export function observeBody(
  body: ReadableStream<Uint8Array>,
  options: ObserveBodyOptions,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  let cancelled = false;
  const end = (outcome: BodyOutcome) => {
    if (ended) return;
    ended = true;
    options.onEnd(outcome);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          end('failed');
          if (cancelled) return;
          if (options.failureEvent === undefined) {
            controller.error(error);
          } else {
            controller.enqueue(options.failureEvent);
            controller.close();
          }
          return;
        }
        if (cancelled) return;
        if (result.done) {
          end('complete');
          controller.close();
        } else {
          controller.enqueue(result.value);
        }
      },
      cancel(reason) {
        cancelled = true;
        end('cancelled');
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
