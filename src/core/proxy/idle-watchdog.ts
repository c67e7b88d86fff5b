import { runtimeTimer, type StartTimer, type TimerHandle } from '../resilience/start-timer.js';

/**
 * Calls `onIdle` once when a read from upstream has been pending for `idleMs`. Only upstream silence counts:
 * while the gateway is not reading (the client is slow to take what it has), the clock does not run. One
 * timer per watchdog, re-armed only when it fires: a chunk costs two clock reads, not a timer.
 *
 * @example
 * const watchdog = watchIdle({ idleMs: 20_000, now: Date.now, onIdle: () => abort() });
 * watchdog.reading();
 * const chunk = await reader.read();
 * watchdog.received();
 */
export function watchIdle(options: {
  idleMs: number;
  now: () => number;
  onIdle: () => void;
  /** Defaults to the runtime's `setTimeout`. */
  startTimer?: StartTimer | undefined;
}) {
  const { idleMs, now, onIdle } = options;
  const startTimer = options.startTimer ?? runtimeTimer;
  let readingSince: number | undefined;
  let timer: TimerHandle | undefined;
  const check = () => {
    const quiet = readingSince === undefined ? 0 : now() - readingSince;
    if (quiet >= idleMs) {
      timer = undefined;
      onIdle();
    } else {
      timer = startTimer(idleMs - quiet, check);
    }
  };
  timer = startTimer(idleMs, check);
  return {
    /** A read from upstream starts: from now on, silence counts. */
    reading() {
      readingSince = now();
    },
    /** The read brought something: silence stops counting until the next read. */
    received() {
      readingSince = undefined;
    },
    stop() {
      timer?.cancel();
      timer = undefined;
    },
  };
}
