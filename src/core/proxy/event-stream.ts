import { concatBytes } from '../exchange/bytes.js';
import type { BodyController, BodyReader, BodySource } from '../exchange/exchange.js';
import type { BodyOutcome } from '../exchange/request-record.js';
import { DecodedBodyTooLargeError } from '../providers/decoded-limit.js';
import { runtimeTimer, type StartTimer } from '../resilience/start-timer.js';
import type { StreamUsage } from '../usage/stream-usage.js';
import { lastEventEnd, MAX_PARTIAL_EVENT_BYTES, type StreamContinuation } from './continuation-hook.js';
import { endsWithDone } from './ends-with-done.js';
import { EventBoundary } from './event-boundary.js';
import { type IdleWatchdog, watchIdle } from './idle-watchdog.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TAIL_BYTES = 64;
const DONE_EVENT = encoder.encode('data: [DONE]\n\n');
/** A chunk that closes a choice: `"finish_reason":"stop"` (a null one does not match). */
const FINISHED = /"finish_reason"\s*:\s*"/;

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
  /** Reads the usage the stream reports and filters what the client gets (see {@link StreamUsage}). */
  usage?: StreamUsage | undefined;
  /** Continues the stream elsewhere when it fails after its first byte (chat completions, when configured). */
  continuation?: StreamContinuation | undefined;
  /** Called before a continuation is asked for: the upstream of this relay has failed (stalled or cut). */
  onUpstreamFailed?: ((stalled: boolean) => void) | undefined;
}

/**
 * The event stream the client gets: the held first event, then every chunk as it comes (no read-ahead, one
 * clock read per chunk). A stream that breaks, stalls past `idleMs`, or ends without its `[DONE]` and without
 * a `finish_reason` ends with an error event and never with `[DONE]`, so it cannot pass for a complete
 * answer; one that closed cleanly after its `finish_reason` is complete and gets its `[DONE]` appended. With
 * a `continuation`, a failed stream is continued by another upstream instead (only whole events are sent
 * then, so nothing half-sent is left in the client's parser).
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
  /** The two last chunks, by reference: where a `finish_reason` is looked for when `[DONE]` never came. */
  #last: Uint8Array;
  #beforeLast: Uint8Array | undefined;
  #continuation: StreamContinuation | undefined;
  /** With a continuation: the start of an event not yet whole, held back from the client. */
  #partial: Uint8Array | undefined;
  /** The continued stream, once this one failed and another upstream took over. */
  #delegate: BodySource | undefined;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#tail = options.held;
    this.#last = options.held;
    this.#continuation = options.continuation;
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
    const { held, usage } = this.#options;
    this.#sendOn(usage === undefined ? held : usage.filter(held), controller);
  }

  async pull(controller: BodyController): Promise<void> {
    if (this.#delegate !== undefined) return this.#delegate.pull(controller);
    let result: ReadableStreamReadResult<Uint8Array>;
    this.#watchdog.reading();
    try {
      result = await this.#options.reader.read();
    } catch {
      if (!this.#ended) await this.#fail(controller);
      return;
    } finally {
      this.#watchdog.received();
    }
    if (this.#ended) return;
    if (this.#stalled) return this.#fail(controller);
    if (result.done) return this.#finish(controller);
    const chunk = result.value;
    // The chunk itself, not a view of its end: a view made per chunk costs more than the check at the end.
    this.#tail =
      chunk.byteLength >= TAIL_BYTES
        ? chunk
        : concatBytes([this.#tail.subarray(-TAIL_BYTES), chunk]).subarray(-TAIL_BYTES);
    const usage = this.#options.usage;
    const sent = usage === undefined ? chunk : usage.filter(chunk);
    // What the client gets, where the finish chunk is looked for: the usage chunk the gateway asked for (cut
    // out) must not hide it.
    if (sent.byteLength > 0) {
      this.#beforeLast = this.#last;
      this.#last = sent;
    }
    // A Web stream pulls again only after something was enqueued: read on until something is (all of this
    // chunk may be held: the usage chunk cut, or, with a continuation, no whole event yet).
    if (!this.#sendOn(sent, controller)) return this.pull(controller);
  }

  cancel(reason?: unknown): Promise<void> {
    if (this.#delegate !== undefined) return Promise.resolve(this.#delegate.cancel(reason));
    this.#end('cancelled');
    this.#options.abort();
    return this.#options.reader.cancel().catch(() => {});
  }

  /** Sends bytes on: as they are, or (with a continuation) whole events only; false when nothing went. */
  #sendOn(bytes: Uint8Array, controller: BodyController): boolean {
    if (this.#continuation !== undefined) return this.#sendWhole(bytes, controller);
    if (bytes.byteLength === 0) return false;
    controller.enqueue(bytes);
    return true;
  }

  /** The upstream closed its body: complete with `[DONE]`, or after a `finish_reason`; otherwise cut. */
  async #finish(controller: BodyController): Promise<void> {
    // A last line the usage watch held back (one without its line end) goes out before the end.
    const rest = this.#options.usage?.flush();
    if (rest !== undefined && rest.byteLength > 0) this.#sendOn(rest, controller);
    if (this.#options.expectDone && !endsWithDone(this.#tail)) {
      if (this.#finishedCleanly()) {
        this.#flushPartial(controller);
        controller.enqueue(DONE_EVENT);
        controller.close();
        return this.#end('complete');
      }
      if (await this.#continue(controller, false)) return;
      this.#flushPartial(controller);
      controller.enqueue(
        errorEvent('upstream_stream_incomplete', 'The upstream stream ended without its final [DONE] event.'),
      );
      controller.close();
      return this.#end('failed');
    }
    this.#flushPartial(controller);
    controller.close();
    this.#end('complete');
  }

  #flushPartial(controller: BodyController): void {
    if (this.#partial === undefined) return;
    controller.enqueue(this.#partial);
    this.#partial = undefined;
  }

  /** Whether the stream's last whole event closed a choice (`finish_reason` set) and nothing half-sent follows. */
  #finishedCleanly(): boolean {
    const tail = this.#tail;
    if (tail.at(-1) !== 0x0a || (tail.at(-2) !== 0x0a && tail.at(-3) !== 0x0a)) return false;
    const last = this.#beforeLast === undefined ? this.#last : concatBytes([this.#beforeLast, this.#last]);
    return FINISHED.test(decoder.decode(last));
  }

  /** Sends what of `chunk` (after any held-back start) makes whole events; holds back the rest. */
  #sendWhole(chunk: Uint8Array, controller: BodyController): boolean {
    const bytes = this.#partial === undefined ? chunk : concatBytes([this.#partial, chunk]);
    const end = lastEventEnd(bytes);
    if (bytes.length - end > MAX_PARTIAL_EVENT_BYTES) {
      // An event too long to hold: no continuation for this stream, and everything goes on as it comes.
      this.#continuation = undefined;
      this.#partial = undefined;
      controller.enqueue(bytes);
      return true;
    }
    this.#partial = end === bytes.length ? undefined : bytes.subarray(end);
    if (end === 0) return false;
    const whole = end === bytes.length ? bytes : bytes.subarray(0, end);
    this.#continuation?.delivered(whole);
    controller.enqueue(whole);
    return true;
  }

  /** Hands the rest of the answer to a continuation, if one is configured and a candidate takes it. */
  async #continue(controller: BodyController, stalled: boolean): Promise<boolean> {
    const continuation = this.#continuation;
    if (continuation === undefined || this.#ended) return false;
    this.#continuation = undefined;
    this.#partial = undefined;
    this.#watchdog.stop();
    this.#options.abort();
    this.#options.reader.cancel().catch(() => {});
    this.#options.onUpstreamFailed?.(stalled);
    const source = await continuation.resume();
    if (source === undefined) return false;
    // The continued stream ends the request (its own attempt reports the outcome); this relay is done.
    this.#ended = true;
    this.#delegate = source;
    source.start?.(controller);
    // A Web stream pulls again only after something was enqueued: the continued stream gives its first part now.
    await source.pull(controller);
    return true;
  }

  #end(outcome: BodyOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#watchdog.stop();
    this.#options.onEnd(outcome);
  }

  async #fail(controller: BodyController): Promise<void> {
    const stalled = this.#stalled;
    const code = stalled
      ? 'upstream_stream_stalled'
      : (this.#options.failureCode() ?? 'upstream_stream_interrupted');
    if (code !== 'upstream_timeout' && (await this.#continue(controller, stalled))) return;
    const message = stalled
      ? `The upstream stream went silent for ${this.#options.idleMs} ms (STREAM_IDLE_TIMEOUT_MS) before it completed.`
      : 'The upstream stream was interrupted before it completed.';
    controller.enqueue(errorEvent(code, message));
    controller.close();
    this.#end('failed');
  }
}
