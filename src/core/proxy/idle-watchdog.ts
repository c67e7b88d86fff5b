import { runtimeTimer, type StartTimer, type TimerHandle } from '../resilience/start-timer.js';

export interface IdleWatchdogOptions {
  idleMs: number;
  now: () => number;
  onIdle: () => void;
  /** Defaults to the runtime's `setTimeout`. */
  startTimer?: StartTimer | undefined;
}

/**
 * Calls `onIdle` once when a read from upstream has been pending for `idleMs`. Only upstream silence counts:
 * while the gateway is not reading (the client is slow to take what it has), the clock does not run. One
 * timer per watchdog, re-armed only when it fires: a chunk costs two clock reads, not a timer. A class, not
 * closures: one lives as long as each open stream.
 *
 * @example
 * const watchdog = watchIdle({ idleMs: 20_000, now: Date.now, onIdle: () => abort() });
 * watchdog.reading();
 * const chunk = await reader.read();
 * watchdog.received();
 */
export class IdleWatchdog {
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #onIdle: () => void;
  readonly #startTimer: StartTimer;
  /** When the pending read started; negative while none is pending (a number always: no box per write). */
  #readingSince = -1;
  #timer: TimerHandle | undefined;
  readonly #check = () => {
    const quiet = this.#readingSince < 0 ? 0 : this.#now() - this.#readingSince;
    if (quiet >= this.#idleMs) {
      this.#timer = undefined;
      this.#onIdle();
    } else {
      this.#timer = this.#startTimer(this.#idleMs - quiet, this.#check);
    }
  };

  constructor(options: IdleWatchdogOptions) {
    this.#idleMs = options.idleMs;
    this.#now = options.now;
    this.#onIdle = options.onIdle;
    this.#startTimer = options.startTimer ?? runtimeTimer;
    this.#timer = this.#startTimer(this.#idleMs, this.#check);
  }

  /** A read from upstream starts: from now on, silence counts. */
  reading(): void {
    this.#readingSince = this.#now();
  }

  /** The read brought something: silence stops counting until the next read. */
  received(): void {
    this.#readingSince = -1;
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}

/** Starts an {@link IdleWatchdog}. */
export function watchIdle(options: IdleWatchdogOptions): IdleWatchdog {
  return new IdleWatchdog(options);
}
