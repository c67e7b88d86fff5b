import type { BodyReader, BodySource } from '../exchange/exchange.js';
import type { BodyOutcome } from '../exchange/request-record.js';

export interface ObserveBodyOptions {
  /** Bytes already read from the reader, sent first. */
  prefix?: Uint8Array;
  /** Called once, when the body is done for whatever reason. */
  onEnd: (outcome: BodyOutcome) => void;
}

/**
 * A body handed on as it comes, so the gateway learns when it ends, without buffering: nothing is read from
 * upstream until the client asks for it (one read per pull). A client that goes away cancels the upstream
 * body; an upstream that fails midway errors the stream, so the client's transfer fails rather than ends.
 *
 * @example
 * new Response(bodyStream(observeBody(upstream.body.getReader(), { onEnd: (outcome) => log(outcome) })));
 */
export function observeBody(reader: BodyReader, options: ObserveBodyOptions): BodySource {
  let ended = false;
  const end = (outcome: BodyOutcome) => {
    if (ended) return;
    ended = true;
    options.onEnd(outcome);
  };
  return {
    start(controller) {
      if (options.prefix !== undefined && options.prefix.byteLength > 0) controller.enqueue(options.prefix);
    },
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (ended) return;
        end('failed');
        controller.error(error);
        return;
      }
      if (ended) return;
      if (result.done) {
        end('complete');
        controller.close();
      } else {
        controller.enqueue(result.value);
      }
    },
    cancel(reason) {
      end('cancelled');
      return reader.cancel(reason);
    },
  };
}
