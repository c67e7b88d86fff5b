import { runtimeTimer, type StartTimer, type TimerHandle } from './start-timer.js';

/** Waits at least this long are armed rounded down to a multiple of it, then topped up. */
const STEP_MS = 100;

/**
 * Calls `onDeadline` once, when `now()` reaches `deadline`. A long wait is armed rounded down to a 100 ms step
 * and topped up when it fires: Node keeps one timer list per duration, so a deadline computed per request
 * ("300 000 ms minus the time the body took") would make and drop a list for every request (about 1 µs each in
 * a micro-benchmark, with live timers); rounded, requests share a list.
 *
 * @example
 * const timer = deadlineTimer({ deadline: start + 300_000, now: Date.now, onDeadline: () => abort() });
 * timer.clear(); // when done first
 */
export function deadlineTimer(options: {
  deadline: number;
  now: () => number;
  onDeadline: () => void;
  /** Defaults to the runtime's `setTimeout`. */
  startTimer?: StartTimer | undefined;
}): {
  clear(): void;
} {
  const { deadline, now, onDeadline } = options;
  const startTimer = options.startTimer ?? runtimeTimer;
  let timer: TimerHandle | undefined;
  const arm = () => {
    const left = deadline - now();
    if (left <= 0) {
      timer = undefined;
      onDeadline();
      return;
    }
    timer = startTimer(left > STEP_MS ? left - (left % STEP_MS) : left, arm);
  };
  arm();
  return {
    clear() {
      timer?.cancel();
      timer = undefined;
    },
  };
}
