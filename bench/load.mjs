// Non-streaming load with autocannon, in this (the runner's) process: throughput at a fixed number of
// connections, and latency at a fixed overall request rate.
import autocannon from 'autocannon';
import { percentile } from './stats.mjs';

const BODY = JSON.stringify({
  model: 'bench-model',
  messages: [{ role: 'user', content: 'Say hello.' }],
});

/** The part of autocannon's result used here (durations in seconds). */
/** @typedef {{ '2xx': number, non2xx: number, errors: number, timeouts: number, duration: number }} AutocannonResult */

/**
 * @param {{ url: string, key: string, connections: number, seconds: number, overallRate?: number }} options
 * @param {(responseTimeMs: number) => void} [onResponse]
 * @returns {Promise<AutocannonResult>}
 */
function fire({ url, key, connections, seconds, overallRate }, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: new URL('/v1/chat/completions', url).href,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: BODY,
        connections,
        duration: seconds,
        timeout: 10,
        ...(overallRate ? { overallRate } : {}),
      },
      (/** @type {Error | null} */ error, /** @type {AutocannonResult} */ result) =>
        error ? reject(error) : resolve(result),
    );
    if (onResponse) {
      // (client, statusCode, bytes, responseTime in ms with sub-millisecond precision)
      instance.on('response', (/** @type {unknown[]} */ ...args) => onResponse(Number(args[3])));
    }
  });
}

/** @param {AutocannonResult} result */
function outcome(result) {
  return {
    requests: result['2xx'],
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    seconds: result.duration,
  };
}

/**
 * One throughput result from several runs (rounds) of the same target: totals over the total time, and each
 * round's requests/s as measured.
 * @param {ReturnType<typeof outcome>[]} runs
 */
export function summarizeThroughput(runs) {
  const total = sumOutcomes(runs);
  return {
    requestsPerSecond: total.requests / total.seconds,
    ...total,
    rounds: runs.map((run) => run.requests / run.seconds),
  };
}

/**
 * One round of the throughput scenario, for {@link summarizeThroughput}.
 * @param {{ url: string, key: string, connections: number, seconds: number }} options
 */
export async function throughputRound(options) {
  return outcome(await fire(options));
}

/** @param {ReturnType<typeof outcome>[]} runs */
function sumOutcomes(runs) {
  return {
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
  };
}

/**
 * One round of the latency scenario: every response time, for {@link summarizeLatency}. autocannon spends each
 * connection's share of the per-second budget (`overallRate / connections`) as fast as it can at the start of
 * each second, so this is "500 requests every second, bursts at up to `connections` in flight", not an evenly
 * paced stream.
 * @param {{ url: string, key: string, connections: number, seconds: number, rate: number }} options
 */
export async function latencyRound({ rate, ...options }) {
  /** @type {number[]} */
  const times = [];
  const result = await fire({ ...options, overallRate: rate }, (ms) => times.push(ms));
  return { times, ...outcome(result) };
}

/**
 * Latency percentiles over the response times of all rounds of one target at a fixed rate.
 * @param {Awaited<ReturnType<typeof latencyRound>>[]} runs
 * @param {number} rate
 */
export function summarizeLatency(runs, rate) {
  const times = runs.flatMap((run) => run.times);
  const total = sumOutcomes(runs);
  return {
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: percentile(times, 100),
    meanMs: times.reduce((sum, ms) => sum + ms, 0) / times.length,
    rate,
    achievedRps: total.requests / total.seconds,
    ...total,
    rounds: runs.length,
  };
}

/**
 * Warms a target up (JIT, connection pools) before it is measured.
 * @param {{ url: string, key: string, seconds: number }} options
 */
export async function warmUp(options) {
  await fire({ ...options, connections: 8 });
}
