import type { BodyController, BodyReader, BodySource } from '../exchange/exchange.js';
import type { BodyOutcome } from '../exchange/request-record.js';
import { DecodedBodyTooLargeError } from '../providers/decoded-limit.js';
import { runtimeTimer, type StartTimer } from '../resilience/start-timer.js';
import { concatBytes } from './bytes.js';
import { endsWithDone } from './ends-with-done.js';
import { EventBoundary } from './event-boundary.js';
import { type IdleWatchdog, watchIdle } from './idle-watchdog.js';

const encoder = new TextEncoder();
const TAIL_BYTES = 64;

/** An SSE event carrying an error in OpenAI's shape: SDKs raise it instead of taking the stream as complete. */
export function errorEvent(code: string, message: string): Uint8Array {
  return encoder.encode(
    `data: ${JSON.stringify({ error: { message, type: 'api_error', param: null, code } })}\n\n`,
  );
}

export type FirstEvent =
  | { ok: true; held: Uint8Array }
  | { ok: false; reason: 'timeout' | 'ended' | 'failed' | 'too_large' };

/**
 * Reads an event stream until its first whole event, holding what came so far. Nothing has reached the
 * client yet, so a stream that fails, ends or stays silent past `deadlineMs` here can still be retried
 * elsewhere. On timeout the upstream request is aborted through `abort`. More than `maxBytes` without an
 * event boundary (a stream that never separates its events) fails too, having held no more than that.
 *
 * @example
 * const first = await awaitFirstEvent(reader, { deadlineMs: 15_000, maxBytes: 1 << 20, abort: () => controller.abort() });
 */
export async function awaitFirstEvent(
  reader: BodyReader,
  options: { deadlineMs: number; maxBytes: number; abort: () => void; startTimer?: StartTimer | undefined },
): Promise<FirstEvent> {
  const held: Uint8Array[] = [];
  let length = 0;
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
      length += result.value.byteLength;
      if (length > options.maxBytes) {
        options.abort();
        reader.cancel().catch(() => {});
        return { ok: false, reason: 'too_large' };
      }
    }
  } catch (error) {
    if (error instanceof DecodedBodyTooLargeError) return { ok: false, reason: 'too_large' };
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
  return new EventStreamRelay(options);
}

/** {@link relayEventStream}'s source: one object per open stream (its state in fields, not closures). */
class EventStreamRelay implements BodySource {
  readonly #options: RelayOptions;
  readonly #watchdog: IdleWatchdog;
  #ended = false;
  #stalled = false;
  /** The last bytes seen (at least the last TAIL_BYTES of the stream, or all of it), for the `[DONE]` check. */
  #tail: Uint8Array;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#tail = options.held;
    this.#watchdog = watchIdle({
      idleMs: options.idleMs,
      now: options.now,
      startTimer: options.startTimer,
      onIdle: () => {
        this.#stalled = true;
        options.abort();
        options.reader.cancel().catch(() => {});
      },
    });
  }

  start(controller: BodyController): void {
    controller.enqueue(this.#options.held);
  }

  async pull(controller: BodyController): Promise<void> {
    let result: ReadableStreamReadResult<Uint8Array>;
    this.#watchdog.reading();
    try {
      result = await this.#options.reader.read();
    } catch {
      if (!this.#ended) this.#fail(controller);
      return;
    } finally {
      this.#watchdog.received();
    }
    if (this.#ended) return;
    if (this.#stalled) return this.#fail(controller);
    if (result.done) {
      if (this.#options.expectDone && !endsWithDone(this.#tail)) {
        controller.enqueue(
          errorEvent(
            'upstream_stream_incomplete',
            'The upstream stream ended without its final [DONE] event.',
          ),
        );
        controller.close();
        return this.#end('failed');
      }
      controller.close();
      return this.#end('complete');
    }
    const chunk = result.value;
    // The chunk itself, not a view of its end: a view made per chunk costs more than the check at the end.
    this.#tail =
      chunk.byteLength >= TAIL_BYTES
        ? chunk
        : concatBytes([this.#tail.subarray(-TAIL_BYTES), chunk]).subarray(-TAIL_BYTES);
    controller.enqueue(chunk);
  }

  cancel(): Promise<void> {
    this.#end('cancelled');
    this.#options.abort();
    return this.#options.reader.cancel().catch(() => {});
  }

  #end(outcome: BodyOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#watchdog.stop();
    this.#options.onEnd(outcome);
  }

  #fail(controller: BodyController): void {
    const stalled = this.#stalled;
    const code = stalled
      ? 'upstream_stream_stalled'
      : (this.#options.failureCode() ?? 'upstream_stream_interrupted');
    const message = stalled
      ? `The upstream stream went silent for ${this.#options.idleMs} ms (STREAM_IDLE_TIMEOUT_MS) before it completed.`
      : 'The upstream stream was interrupted before it completed.';
    controller.enqueue(errorEvent(code, message));
    controller.close();
    this.#end('failed');
  }
}
