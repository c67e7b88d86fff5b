/** A started timer: `cancel()` stops it (safe to call more than once, or after it fired). */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Starts a one-shot timer that calls `callback` after about `ms` milliseconds. The core's per-request timeouts
 * (upstream headers, first token, idle body, the request's deadline) go through one of these, so that a runtime
 * can give a cheaper one than a timer of its own per timeout (the Node entry does: `coarse-timers.ts`).
 */
export type StartTimer = (ms: number, callback: () => void) => TimerHandle;

/**
 * A {@link StartTimer} on the runtime's `setTimeout`: exact, and what Workers need (a timer belongs to the
 * request that started it there).
 *
 * @example
 * const timer = runtimeTimer(30_000, () => controller.abort());
 * timer.cancel(); // done first
 */
export const runtimeTimer: StartTimer = function startRuntimeTimer(ms, callback) {
  const timer = setTimeout(callback, ms);
  return { cancel: () => clearTimeout(timer) };
};
