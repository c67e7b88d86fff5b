// Memory and CPU of one process from /proc (Linux): VmRSS / VmHWM from /proc/<pid>/status, utime + stime from
// /proc/<pid>/stat in clock ticks (`getconf CLK_TCK`).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** @type {number | undefined} */
let ticksPerSecond;

/** Clock ticks per second for /proc/<pid>/stat times, from `getconf CLK_TCK` (100 when that fails). */
export function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(
        execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim(),
      );
    } catch {}
    if (!ticksPerSecond || !Number.isFinite(ticksPerSecond)) ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/**
 * One reading of a process.
 * @param {number} pid
 * @returns {{ rssKb: number, hwmKb: number, cpuSeconds: number }}
 */
export function readProcess(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  const hwmKb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return { rssKb, hwmKb, cpuSeconds: cpuTicks / clockTicks() };
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux 4.0+).
 * @param {number} pid
 * @returns {boolean} whether it worked
 */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples a process every `intervalMs` until `stop()`: peak RSS (the larger of the sampled VmRSS maximum and
 * VmHWM, after resetting VmHWM at the start when the kernel allows it) and CPU seconds used in between.
 * @param {number} pid
 * @param {number} [intervalMs]
 */
export function startSampler(pid, intervalMs = 100) {
  const hwmReset = resetPeakRss(pid);
  const first = readProcess(pid);
  let peakRssKb = first.rssKb;
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peakRssKb = Math.max(peakRssKb, readProcess(pid).rssKb);
      samples += 1;
    } catch {}
  }, intervalMs);
  return {
    /** @returns {{ peakRssMb: number, cpuSeconds: number, samples: number, hwmReset: boolean }} */
    stop() {
      clearInterval(timer);
      const last = readProcess(pid);
      peakRssKb = Math.max(peakRssKb, last.rssKb, hwmReset ? last.hwmKb : 0);
      return {
        peakRssMb: peakRssKb / 1024,
        cpuSeconds: last.cpuSeconds - first.cpuSeconds,
        samples: samples + 1,
        hwmReset,
      };
    },
  };
}

/** CPU seconds the whole machine has been busy (all cores, from the `cpu` line of /proc/stat). */
function machineBusySeconds() {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / clockTicks();
}

/**
 * Measures how much CPU other processes (not this one, not `pids`) use while the benchmark runs: on a small
 * machine, anything else running (a test suite, a build) skews every number.
 * @param {number[]} pids the servers under test
 */
export function watchOtherLoad(pids) {
  const ours = () =>
    pids.reduce((sum, pid) => sum + readProcess(pid).cpuSeconds, 0) +
    (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const startedAt = performance.now();
  const busy0 = machineBusySeconds();
  const ours0 = ours();
  return {
    /** @param {number} cores */
    stop(cores) {
      const seconds = (performance.now() - startedAt) / 1000;
      const otherCpuSeconds = Math.max(0, machineBusySeconds() - busy0 - (ours() - ours0));
      return { seconds, otherCpuSeconds, otherShare: otherCpuSeconds / (seconds * cores) };
    },
  };
}
