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
export function watchIdle(options: { idleMs: number; now: () => number; onIdle: () => void }) {
  const { idleMs, now, onIdle } = options;
  let readingSince: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const quiet = readingSince === undefined ? 0 : now() - readingSince;
    if (quiet >= idleMs) {
      timer = undefined;
      onIdle();
    } else {
      timer = setTimeout(check, idleMs - quiet);
    }
  };
  timer = setTimeout(check, idleMs);
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
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
