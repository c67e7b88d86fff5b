/** Why a request's budget signal fired. */
export type BudgetEnd = 'deadline' | 'client';

export interface RequestBudget {
  /** Aborts when the total deadline passes or the client goes away. */
  readonly signal: AbortSignal;
  /** Why the signal fired, if it did. */
  ended(): BudgetEnd | undefined;
  /** Milliseconds left before the deadline. */
  remaining(): number;
  /** Waits `ms`, or less if the budget ends first. */
  sleep(ms: number): Promise<void>;
  /** A controller for one attempt: aborted with the budget, and on its own by the attempt's deadlines. */
  attemptController(): { controller: AbortController; release: () => void };
  /** Clears the deadline timer and listeners. Safe to call more than once. */
  dispose(): void;
}

/**
 * One request's time budget (REQUEST_TIMEOUT_MS across all attempts and the streamed body), joined with the
 * client's own abort signal, so that nothing the request does can outlive either.
 *
 * @example
 * const budget = createRequestBudget({ deadline: start + 300_000, now: Date.now, clientSignal: request.signal });
 * try { ... } finally { budget.dispose(); }
 */
export function createRequestBudget(options: {
  deadline: number;
  now: () => number;
  clientSignal: AbortSignal;
}): RequestBudget {
  const { deadline, now, clientSignal } = options;
  const controller = new AbortController();
  let end: BudgetEnd | undefined;
  const finish = (why: BudgetEnd) => {
    if (end !== undefined) return;
    end = why;
    controller.abort();
  };
  const onClientAbort = () => finish('client');
  const timer = setTimeout(() => finish('deadline'), Math.max(0, deadline - now()));
  if (clientSignal.aborted) finish('client');
  else clientSignal.addEventListener('abort', onClientAbort, { once: true });

  return {
    signal: controller.signal,
    ended: () => end,
    remaining: () => Math.max(0, deadline - now()),
    sleep(ms) {
      return new Promise<void>((resolve) => {
        if (controller.signal.aborted) return resolve();
        const done = () => {
          clearTimeout(wait);
          controller.signal.removeEventListener('abort', done);
          resolve();
        };
        const wait = setTimeout(done, ms);
        controller.signal.addEventListener('abort', done, { once: true });
      });
    },
    attemptController() {
      const attempt = new AbortController();
      const follow = () => attempt.abort();
      if (controller.signal.aborted) attempt.abort();
      else controller.signal.addEventListener('abort', follow, { once: true });
      return { controller: attempt, release: () => controller.signal.removeEventListener('abort', follow) };
    },
    dispose() {
      clearTimeout(timer);
      clientSignal.removeEventListener('abort', onClientAbort);
    },
  };
}
