// The cold-process streaming scenario: users restart gateways and then burst at once. Each round starts a fresh
// process of the bare proxy and of the gateway, sends one unmeasured burst of streams (as the first traffic a
// restarted process sees), then measures the next burst: CPU the process used for it, its chunk delays and its
// peak RSS. The warm scenario (run.mjs) measures the same streams in processes that have run for a while.
import { startSampler } from './proc-sampler.mjs';
import { sleep } from './stats.mjs';
import { runStreams, summarizeStreams } from './stream-client.mjs';

/** @typedef {import('./processes.mjs').Server} Server */
/** @typedef {'bare' | 'gateway'} ColdTarget */

/**
 * @param {object} options
 * @param {Record<ColdTarget, () => Promise<Server>>} options.start starts a fresh process of each target
 * @param {number} options.rounds fresh processes per target
 * @param {{ key: string, streams: number, chunks: number, intervalMs: number, staggerMs: number }} options.stream
 * @param {(message: string) => void} options.log
 * @param {() => boolean} options.stopping
 */
export async function coldStreaming({ start, rounds, stream, log, stopping }) {
  /** @type {Record<ColdTarget, { pid: number, run: import('./stream-client.mjs').StreamRound, cpuSeconds: number, warmUpCpuSeconds: number, peakRssMb: number, lifetimePeakRssMb: number }[]>} */
  const results = { bare: [], gateway: [] };
  for (let round = 1; round <= rounds; round++) {
    // The two take turns, and which goes first alternates: load from elsewhere falls on both alike.
    /** @type {ColdTarget[]} */
    const order = round % 2 === 1 ? ['bare', 'gateway'] : ['gateway', 'bare'];
    for (const id of order) {
      if (stopping()) throw new Error('interrupted');
      log(`cold streaming, round ${round}/${rounds}: a fresh ${id === 'bare' ? 'bare proxy' : 'gateway'}`);
      const server = await start[id]();
      try {
        await sleep(300);
        const warmUpSampler = startSampler(server.pid, 100);
        await runStreams({ url: server.url, ...stream });
        const warmUp = warmUpSampler.stop();
        const sampler = startSampler(server.pid, 100);
        const run = await runStreams({ url: server.url, ...stream });
        const usage = sampler.stop();
        results[id].push({
          pid: server.pid,
          run,
          cpuSeconds: usage.cpuSeconds,
          warmUpCpuSeconds: warmUp.cpuSeconds,
          peakRssMb: usage.peakRssMb,
          lifetimePeakRssMb: Math.max(warmUp.peakRssMb, usage.peakRssMb),
        });
      } finally {
        await server.stop();
      }
    }
  }
  /** @param {ColdTarget} id */
  const summary = (id) => {
    const runs = results[id];
    const mean = (/** @type {(r: (typeof runs)[number]) => number} */ f) =>
      runs.reduce((total, r) => total + f(r), 0) / runs.length;
    const { rounds: _rounds, ...delays } = summarizeStreams(runs.map(({ run }) => run));
    return {
      ...delays,
      cpuSeconds: mean((r) => r.cpuSeconds),
      warmUpCpuSeconds: mean((r) => r.warmUpCpuSeconds),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      lifetimePeakRssMb: Math.max(...runs.map((r) => r.lifetimePeakRssMb)),
      perRound: runs.map((r) => ({
        pid: r.pid,
        cpuSeconds: r.cpuSeconds,
        warmUpCpuSeconds: r.warmUpCpuSeconds,
        peakRssMb: r.peakRssMb,
      })),
    };
  };
  return { bare: summary('bare'), gateway: summary('gateway') };
}
