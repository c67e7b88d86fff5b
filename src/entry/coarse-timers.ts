import type { StartTimer, TimerHandle } from '../core/index.js';

export interface CoarseTimersOptions {
  /** Timers are due on ticks this far apart: they fire up to this much late (default 100 ms). */
  resolutionMs?: number;
  /** Shorter timers than this get a `setTimeout` of their own, exact (default 1000 ms). */
  minMs?: number;
  now?: () => number;
}

/** The timers due on one tick. Cancelled ones stay in `timers` until they are half of it (then it is compacted). */
class Bucket {
  timers: CoarseTimer[] = [];
  cancelled = 0;
  constructor(readonly tick: number) {}
}

class CoarseTimer implements TimerHandle {
  constructor(
    readonly wheel: Wheel,
    /** Undefined once fired or cancelled. */
    public bucket: Bucket | undefined,
    public callback: (() => void) | undefined,
  ) {}

  cancel(): void {
    const bucket = this.bucket;
    if (bucket === undefined) return;
    this.bucket = undefined;
    this.callback = undefined;
    this.wheel.cancelled(bucket);
  }
}

class Wheel {
  readonly #buckets = new Map<number, Bucket>();
  readonly #resolutionMs: number;
  readonly #now: () => number;
  /** Ticks count from here: small integers (V8 Smis), which a Map hashes and stores without a box. */
  readonly #origin: number;
  #pending = 0;
  #nextTick = 0;
  #interval: ReturnType<typeof setInterval> | undefined;

  constructor(resolutionMs: number, now: () => number) {
    this.#resolutionMs = resolutionMs;
    this.#now = now;
    this.#origin = now();
  }

  #elapsed(): number {
    return this.#now() - this.#origin;
  }

  add(ms: number, callback: () => void): CoarseTimer {
    // Due on the first tick at or after the time asked for: never early.
    const tick = Math.ceil((this.#elapsed() + ms) / this.#resolutionMs);
    let bucket = this.#buckets.get(tick);
    if (bucket === undefined) {
      bucket = new Bucket(tick);
      this.#buckets.set(tick, bucket);
    }
    const timer = new CoarseTimer(this, bucket, callback);
    bucket.timers.push(timer);
    this.#pending += 1;
    if (this.#interval === undefined) {
      this.#nextTick = Math.floor(this.#elapsed() / this.#resolutionMs);
      this.#interval = setInterval(() => this.#run(), this.#resolutionMs);
      // Pending timeouts alone do not keep the process up; the server's listening socket does.
      this.#interval.unref();
    }
    return timer;
  }

  cancelled(bucket: Bucket): void {
    this.#pending -= 1;
    bucket.cancelled += 1;
    const { timers } = bucket;
    if (bucket.cancelled === timers.length) {
      this.#buckets.delete(bucket.tick);
    } else if (bucket.cancelled * 2 > timers.length && timers.length > 16) {
      // Most are cancelled (a request's timeouts end with it): keep memory to what is live.
      bucket.timers = timers.filter((timer) => timer.bucket === bucket);
      bucket.cancelled = 0;
    }
  }

  #run(): void {
    const current = Math.floor(this.#elapsed() / this.#resolutionMs);
    for (; this.#nextTick <= current; this.#nextTick++) {
      const bucket = this.#buckets.get(this.#nextTick);
      if (bucket === undefined) continue;
      this.#buckets.delete(this.#nextTick);
      for (const timer of bucket.timers) {
        if (timer.bucket !== bucket) continue;
        const callback = timer.callback as () => void;
        timer.bucket = undefined;
        timer.callback = undefined;
        this.#pending -= 1;
        callback();
      }
    }
    if (this.#pending === 0 && this.#interval !== undefined) {
      clearInterval(this.#interval);
      this.#interval = undefined;
    }
  }
}

/**
 * A {@link StartTimer} that keeps long timeouts in buckets, one per tick of `resolutionMs`, checked by one
 * interval while any is pending, instead of a Node timer each: starting one is an object pushed on an array,
 * cancelling it a mark. The gateway starts three per request (deadline, upstream headers, idle body) and cancels
 * them all once the answer is in. Timeouts of `minMs` or more fire up to a tick late; shorter ones get an exact
 * `setTimeout`.
 *
 * @example
 * const startTimer = coarseTimers();
 * const timer = startTimer(30_000, () => controller.abort());
 * timer.cancel();
 */
export function coarseTimers(options: CoarseTimersOptions = {}): StartTimer {
  const minMs = options.minMs ?? 1000;
  const wheel = new Wheel(options.resolutionMs ?? 100, options.now ?? Date.now);
  return function startCoarseTimer(ms, callback) {
    if (ms >= minMs) return wheel.add(ms, callback);
    const timer = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(timer) };
  };
}
