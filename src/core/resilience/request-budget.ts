import type { ClientSignal } from '../http/exchange.js';
import { type AbortLatch, createAbortLatch } from './abort-latch.js';
import { deadlineTimer } from './deadline-timer.js';

/** Why a request's budget ended early. */
export type BudgetEnd = 'deadline' | 'client';

export interface RequestBudget {
  /** Aborts when the total deadline passes or the client goes away. Created on first use. */
  readonly signal: AbortSignal;
  /** Why the budget ended, if it did. */
  ended(): BudgetEnd | undefined;
  /** Milliseconds left before the deadline. */
  remaining(): number;
  /** Waits `ms`, or less if the budget ends first. */
  sleep(ms: number): Promise<void>;
  /** A controller for one attempt: aborted with the budget, and on its own by the attempt's deadlines. */
  attemptController(): { controller: AbortLatch; release: () => void };
  /** Clears the deadline timer and listeners. Safe to call more than once. */
  dispose(): void;
}

/**
 * One request's time budget (REQUEST_TIMEOUT_MS across all attempts and the streamed body), joined with the
 * client's own abort signal, so that nothing the request does can outlive either. It keeps a plain set of
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
}): RequestBudget {
  const { deadline, now, clientSignal } = options;
  const onEnd = new Set<() => void>();
  let end: BudgetEnd | undefined;
  let signal: AbortSignal | undefined;
  const finish = (why: BudgetEnd) => {
    if (end !== undefined) return;
    end = why;
    for (const callback of onEnd) callback();
    onEnd.clear();
  };
  const onClientAbort = () => finish('client');
  const timer = deadlineTimer({ deadline, now, onDeadline: () => finish('deadline') });
  if (clientSignal.aborted) finish('client');
  else clientSignal.addEventListener('abort', onClientAbort, { once: true });

  /** Runs `callback` when the budget ends (at once if it has); returns how to stop listening. */
  const whenEnded = (callback: () => void): (() => void) => {
    if (end !== undefined) {
      callback();
      return () => {};
    }
    onEnd.add(callback);
    return () => onEnd.delete(callback);
  };

  return {
    get signal() {
      if (signal === undefined) {
        const controller = new AbortController();
        whenEnded(() => controller.abort());
        signal = controller.signal;
      }
      return signal;
    },
    ended: () => end,
    remaining: () => Math.max(0, deadline - now()),
    sleep(ms) {
      return new Promise<void>((resolve) => {
        if (end !== undefined) return resolve();
        const stop = whenEnded(() => {
          clearTimeout(wait);
          resolve();
        });
        const wait = setTimeout(() => {
          stop();
          resolve();
        }, ms);
      });
    },
    attemptController() {
      const controller = createAbortLatch();
      const release = whenEnded(() => controller.abort());
      return { controller, release };
    },
    dispose() {
      timer.clear();
      clientSignal.removeEventListener('abort', onClientAbort);
    },
  };
}
