import type { ClientSignal } from '../exchange/exchange.js';
import { type AbortLatch, createAbortLatch } from './abort-latch.js';
import { deadlineTimer } from './deadline-timer.js';
import type { StartTimer } from './start-timer.js';

/** Why a request's budget ended early. */
export type BudgetEnd = 'deadline' | 'client';

export interface RequestBudget {
  /** Why the budget ended, if it did. */
  ended(): BudgetEnd | undefined;
  /** Milliseconds left before the deadline. */
  remaining(): number;
  /** Waits `ms`, or less if the budget ends first. */
  sleep(ms: number): Promise<void>;
  /** A controller for one attempt: aborted with the budget, and on its own by the attempt's deadlines. */
  attemptController(): { controller: AbortLatch; release: () => void };
  /** Clears the deadline timer and stops listening to the client. Safe to call more than once. */
  dispose(): void;
}

/**
 * One request's time budget (REQUEST_TIMEOUT_MS across all attempts and the streamed body), joined with the
 * client's own abort signal, so that nothing the request does can outlive either. It keeps a plain list of
 * callbacks rather than an AbortController of its own: the attempts' controllers are all that needs aborting.
 *
 * @example
 * const budget = createRequestBudget({ deadline: start + 300_000, now: Date.now, clientSignal: request.signal });
 * try { ... } finally { budget.dispose(); }
 */
export function createRequestBudget(options: {
  deadline: number;
  now: () => number;
  clientSignal: ClientSignal;
  /** For the deadline; defaults to the runtime's `setTimeout`. */
  startTimer?: StartTimer | undefined;
}): RequestBudget {
  return new Budget(options);
}

// A class, not closures: one of these is made per request, and its methods are shared (measured: fewer bytes
// allocated per request and less for the garbage collector to copy).
class Budget implements RequestBudget {
  readonly #deadline: number;
  readonly #now: () => number;
  readonly #clientSignal: ClientSignal;
  readonly #timer: { clear(): void };
  #end: BudgetEnd | undefined;
  #onEnd: (() => void)[] | undefined;
  readonly #onClientAbort = () => this.#finish('client');

  constructor(options: {
    deadline: number;
    now: () => number;
    clientSignal: ClientSignal;
    startTimer?: StartTimer | undefined;
  }) {
    this.#deadline = options.deadline;
    this.#now = options.now;
    this.#clientSignal = options.clientSignal;
    this.#timer = deadlineTimer({
      deadline: this.#deadline,
      now: this.#now,
      onDeadline: () => this.#finish('deadline'),
      startTimer: options.startTimer,
    });
    if (this.#clientSignal.aborted) this.#finish('client');
    else this.#clientSignal.addEventListener('abort', this.#onClientAbort, { once: true });
  }

  #finish(why: BudgetEnd): void {
    if (this.#end !== undefined) return;
    this.#end = why;
    const callbacks = this.#onEnd ?? [];
    this.#onEnd = undefined;
    for (const callback of callbacks) callback();
  }

  /** Calls `callback` when the budget ends (at once if it has); returns how to stop waiting for that. */
  #whenEnded(callback: () => void): () => void {
    if (this.#end !== undefined) {
      callback();
      return () => {};
    }
    // Usually the only one (one attempt at a time): a literal holds one slot, a push into [] makes room for 17.
    if (this.#onEnd === undefined) this.#onEnd = [callback];
    else this.#onEnd.push(callback);
    return () => {
      const index = this.#onEnd?.indexOf(callback) ?? -1;
      if (index !== -1) this.#onEnd?.splice(index, 1);
    };
  }

  ended(): BudgetEnd | undefined {
    return this.#end;
  }

  remaining(): number {
    return Math.max(0, this.#deadline - this.#now());
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#end !== undefined) return resolve();
      const stop = this.#whenEnded(() => {
        clearTimeout(wait);
        resolve();
      });
      const wait = setTimeout(() => {
        stop();
        resolve();
      }, ms);
    });
  }

  attemptController(): { controller: AbortLatch; release: () => void } {
    const controller = createAbortLatch();
    const release = this.#whenEnded(() => controller.abort());
    return { controller, release };
  }

  dispose(): void {
    this.#timer.clear();
    this.#clientSignal.removeEventListener('abort', this.#onClientAbort);
  }
}
