import type { BodyController, BodyReader, BodySource } from '../exchange/exchange.js';
import type { BodyOutcome } from '../exchange/request-record.js';
import type { StartTimer } from '../resilience/start-timer.js';
import { type IdleWatchdog, watchIdle } from './idle-watchdog.js';

export interface ObserveBodyOptions {
  /** Bytes already read from the reader, sent first. */
  prefix?: Uint8Array;
  /** Called once, when the body is done for whatever reason. */
  onEnd: (outcome: BodyOutcome) => void;
  /** When set, an upstream read pending this long fails the body (`STREAM_IDLE_TIMEOUT_MS`). */
  idleMs?: number;
  /** For the idle watchdog. */
  now?: () => number;
  /** Aborts the upstream request, when the body went idle. */
  abort?: () => void;
  startTimer?: StartTimer | undefined;
}

/**
 * A body handed on as it comes, so the gateway learns when it ends, without buffering: nothing is read from
 * upstream until the client asks for it (one read per pull). A client that goes away cancels the upstream
 * body; an upstream that fails midway, or stays silent past `idleMs` while read, errors the stream, so the
 * client's transfer fails rather than ends.
 *
 * @example
 * new Response(bodyStream(observeBody(upstream.body.getReader(), { onEnd: (outcome) => log(outcome) })));
 */
export function observeBody(reader: BodyReader, options: ObserveBodyOptions): BodySource {
  return new ObservedBody(reader, options);
}

/** {@link observeBody}'s source: one per open body, its state in fields. */
class ObservedBody implements BodySource {
  readonly #reader: BodyReader;
  readonly #options: ObserveBodyOptions;
  readonly #watchdog: IdleWatchdog | undefined;
  #ended = false;
  #stalled = false;

  constructor(reader: BodyReader, options: ObserveBodyOptions) {
    this.#reader = reader;
    this.#options = options;
    if (options.idleMs !== undefined) {
      this.#watchdog = watchIdle({
        idleMs: options.idleMs,
        now: options.now ?? Date.now,
        startTimer: options.startTimer,
        onIdle: () => {
          this.#stalled = true;
          options.abort?.();
          reader.cancel().catch(() => {});
        },
      });
    }
  }

  start(controller: BodyController): void {
    const { prefix } = this.#options;
    if (prefix !== undefined && prefix.byteLength > 0) controller.enqueue(prefix);
  }

  async pull(controller: BodyController): Promise<void> {
    let result: ReadableStreamReadResult<Uint8Array>;
    this.#watchdog?.reading();
    try {
      result = await this.#reader.read();
    } catch (error) {
      if (this.#ended) return;
      this.#end('failed');
      controller.error(error);
      return;
    } finally {
      this.#watchdog?.received();
    }
    if (this.#ended) return;
    if (this.#stalled) {
      this.#end('failed');
      controller.error(new Error('The upstream body went silent (STREAM_IDLE_TIMEOUT_MS).'));
      return;
    }
    if (result.done) {
      this.#end('complete');
      controller.close();
    } else {
      controller.enqueue(result.value);
    }
  }

  cancel(reason?: unknown): Promise<void> {
    this.#end('cancelled');
    return this.#reader.cancel(reason);
  }

  #end(outcome: BodyOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#watchdog?.stop();
    this.#options.onEnd(outcome);
  }
}
