import type { BodyController, BodySource } from '../http/exchange.js';
import type { BodyReader } from '../providers/transport.js';
import { runtimeTimer, type StartTimer } from '../resilience/start-timer.js';
import { concatBytes } from './bytes.js';
import { EventBoundary } from './event-boundary.js';
import { watchIdle } from './idle-watchdog.js';
import type { BodyOutcome } from './observe-body.js';

const encoder = new TextEncoder();
const DONE = /data:[ \t]*\[DONE\][ \t]*(?:\r?\n)*$/;
const TAIL_BYTES = 64;

/** An SSE event carrying an error in OpenAI's shape: SDKs raise it instead of taking the stream as complete. */
export function errorEvent(code: string, message: string): Uint8Array {
  return encoder.encode(
    `data: ${JSON.stringify({ error: { message, type: 'api_error', param: null, code } })}\n\n`,
  );
}

/**
 * Bytes as text, one character per byte: exact for ASCII, which is all the `[DONE]` check looks for (a byte
 * of a multi-byte character becomes some other character, never part of a match). No decoder per stream.
 */
function asciiText(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

export type FirstEvent =
  | { ok: true; held: Uint8Array }
  | { ok: false; reason: 'timeout' | 'ended' | 'failed' };

/**
 * Reads an event stream until its first whole event, holding what came so far. Nothing has reached the
 * client yet, so a stream that fails, ends or stays silent past `deadlineMs` here can still be retried
 * elsewhere. On timeout the upstream request is aborted through `abort`.
 *
 * @example
 * const first = await awaitFirstEvent(reader, { deadlineMs: 15_000, abort: () => controller.abort() });
 */
export async function awaitFirstEvent(
  reader: BodyReader,
  options: { deadlineMs: number; abort: () => void; startTimer?: StartTimer | undefined },
): Promise<FirstEvent> {
  const held: Uint8Array[] = [];
  const boundary = new EventBoundary();
  let timedOut = false;
  const timer = (options.startTimer ?? runtimeTimer)(options.deadlineMs, () => {
    timedOut = true;
    options.abort();
    reader.cancel().catch(() => {});
  });
  try {
    for (;;) {
      const result = await reader.read();
      if (timedOut) return { ok: false, reason: 'timeout' };
      if (result.done) return { ok: false, reason: 'ended' };
      held.push(result.value);
      if (boundary.feed(result.value)) return { ok: true, held: concatBytes(held) };
    }
  } catch {
    return { ok: false, reason: timedOut ? 'timeout' : 'failed' };
  } finally {
    timer.cancel();
  }
}

export interface RelayOptions {
  /** What `awaitFirstEvent` held: sent first. */
  held: Uint8Array;
  reader: BodyReader;
  /** Aborts the upstream request. */
  abort: () => void;
  idleMs: number;
  now: () => number;
  /** For the idle timeout; defaults to the runtime's `setTimeout`. */
  startTimer?: StartTimer | undefined;
  /** Chat and text completions end with `data: [DONE]`: a stream that ends without it was cut short. */
  expectDone: boolean;
  /** Why the upstream read failed, when it did for a reason of the gateway's own (the total deadline). */
  failureCode: () => string | undefined;
  onEnd: (outcome: BodyOutcome) => void;
}

/**
 * The event stream the client gets: the held first event, then every chunk as it comes (no read-ahead, one
 * clock read per chunk). A stream that breaks, stalls past `idleMs`, or ends without its `[DONE]` ends with
 * an error event and never with `[DONE]`, so it cannot pass for a complete answer.
 *
 * @example
 * return new Response(relayEventStream({ held, reader, abort, idleMs, now, expectDone: true, failureCode, onEnd }), init);
 */
export function relayEventStream(options: RelayOptions): BodySource {
  const { reader, abort, now, expectDone, onEnd } = options;
  let ended = false;
  let stalled = false;
  /** The last bytes seen (at least the last TAIL_BYTES of the stream, or all of it), for the `[DONE]` check. */
  let tail = options.held;
  const end = (outcome: BodyOutcome) => {
    if (ended) return;
    ended = true;
    watchdog.stop();
    onEnd(outcome);
  };
  const watchdog = watchIdle({
    idleMs: options.idleMs,
    now,
    startTimer: options.startTimer,
    onIdle: () => {
      stalled = true;
      abort();
      reader.cancel().catch(() => {});
    },
  });
  const fail = (controller: BodyController) => {
    const code = stalled
      ? 'upstream_stream_stalled'
      : (options.failureCode() ?? 'upstream_stream_interrupted');
    const message = stalled
      ? `The upstream stream went silent for ${options.idleMs} ms (STREAM_IDLE_TIMEOUT_MS) before it completed.`
      : 'The upstream stream was interrupted before it completed.';
    controller.enqueue(errorEvent(code, message));
    controller.close();
    end('failed');
  };
  return {
    start(controller) {
      controller.enqueue(options.held);
    },
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      watchdog.reading();
      try {
        result = await reader.read();
      } catch {
        if (!ended) fail(controller);
        return;
      } finally {
        watchdog.received();
      }
      if (ended) return;
      if (stalled) return fail(controller);
      if (result.done) {
        if (expectDone && !DONE.test(asciiText(tail.subarray(-TAIL_BYTES)))) {
          controller.enqueue(
            errorEvent(
              'upstream_stream_incomplete',
              'The upstream stream ended without its final [DONE] event.',
            ),
          );
          controller.close();
          return end('failed');
        }
        controller.close();
        return end('complete');
      }
      const chunk = result.value;
      // The chunk itself, not a view of its end: a view made per chunk costs more than the check at the end.
      tail =
        chunk.byteLength >= TAIL_BYTES
          ? chunk
          : concatBytes([tail.subarray(-TAIL_BYTES), chunk]).subarray(-TAIL_BYTES);
      controller.enqueue(chunk);
    },
    cancel() {
      end('cancelled');
      abort();
      return reader.cancel().catch(() => {});
    },
  };
}
