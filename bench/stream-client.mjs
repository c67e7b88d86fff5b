// Opens many concurrent SSE chat-completion streams with node:http and measures, for every chunk, the delay
// between the upstream sending it (`bench_sent_at` inside the chunk) and this process receiving it.
import { Agent, request } from 'node:http';
import { percentile, sleep } from './stats.mjs';

const SENT_AT = /"bench_sent_at":([\d.]+)/;

/** Epoch milliseconds with sub-millisecond precision, comparable with the upstream's clock. */
const now = () => performance.timeOrigin + performance.now();

/**
 * One run of concurrent streams, with every chunk's delay kept (for {@link summarizeStreams}).
 * @typedef {object} StreamRound
 * @property {number} streams streams opened
 * @property {number} completed streams that ended with `data: [DONE]`
 * @property {number} errors streams that failed, got a non-200 or were cut by the deadline
 * @property {number[]} firstDelays delay of each stream's first chunk (includes its connection's setup)
 * @property {number[]} laterDelays delay of the other chunks
 * @property {number} seconds wall time of the run
 */

/**
 * @typedef {object} StreamRun
 * @property {number} streams streams opened, over all rounds
 * @property {number} completed streams that ended with `data: [DONE]`
 * @property {number} errors streams that failed, got a non-200 or were cut by the deadline
 * @property {number} chunks chunks received
 * @property {number} p50Ms per-chunk delay, over the chunks of every round
 * @property {number} p99Ms
 * @property {number} maxMs
 * @property {number} firstChunkP50Ms delay of each stream's first chunk (includes its connection's setup)
 * @property {number} firstChunkP99Ms
 * @property {number} laterChunksP50Ms delay of the other chunks
 * @property {number} laterChunksP99Ms
 * @property {number} seconds wall time of all rounds
 * @property {{ p99Ms: number, firstChunkP99Ms: number, laterChunksP99Ms: number, seconds: number }[]} rounds
 *   each round's own figures
 */

/**
 * The delays of several rounds pooled: percentiles over every chunk of every round, and each round's own p99.
 * @param {StreamRound[]} rounds
 * @returns {StreamRun}
 */
export function summarizeStreams(rounds) {
  const sum = (/** @type {(round: StreamRound) => number} */ value) =>
    rounds.reduce((total, round) => total + value(round), 0);
  const firstDelays = rounds.flatMap((round) => round.firstDelays);
  const laterDelays = rounds.flatMap((round) => round.laterDelays);
  const delays = [...firstDelays, ...laterDelays];
  return {
    streams: sum((round) => round.streams),
    completed: sum((round) => round.completed),
    errors: sum((round) => round.errors),
    chunks: delays.length,
    p50Ms: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    maxMs: percentile(delays, 100),
    firstChunkP50Ms: percentile(firstDelays, 50),
    firstChunkP99Ms: percentile(firstDelays, 99),
    laterChunksP50Ms: percentile(laterDelays, 50),
    laterChunksP99Ms: percentile(laterDelays, 99),
    seconds: sum((round) => round.seconds),
    rounds: rounds.map((round) => ({
      p99Ms: percentile([...round.firstDelays, ...round.laterDelays], 99),
      firstChunkP99Ms: percentile([...round.firstDelays], 99),
      laterChunksP99Ms: percentile([...round.laterDelays], 99),
      seconds: round.seconds,
    })),
  };
}

/**
 * All streams are opened at once unless `staggerMs` spreads their starts evenly over that many milliseconds.
 * The first chunk of each stream also carries the cost of opening its connection (all at once: a storm of
 * connects), so its delays are reported apart too (`firstChunk*`) next to the other chunks' (`laterChunks*`).
 * @param {{ url: string, key: string, streams: number, chunks: number, intervalMs: number, staggerMs?: number }} options
 * @returns {Promise<StreamRound>}
 */
export async function runStreams({ url, key, streams, chunks, intervalMs, staggerMs = 0 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: streams + 16 });
  const body = JSON.stringify({
    model: 'bench-model',
    messages: [{ role: 'user', content: 'Count to twenty.' }],
    stream: true,
    bench_chunks: chunks,
    bench_interval_ms: intervalMs,
  });
  const target = new URL('/v1/chat/completions', url);
  /** @type {number[]} */
  const firstDelays = [];
  /** @type {number[]} */
  const laterDelays = [];
  /** @type {Set<import('node:http').ClientRequest>} */
  const open = new Set();
  let completed = 0;
  let errors = 0;
  const started = performance.now();

  /** @returns {Promise<void>} */
  const one = () =>
    new Promise((resolve) => {
      let done = false;
      let settled = false;
      /** Counts the stream once: complete only when `data: [DONE]` arrived. */
      const finish = () => {
        if (settled) return;
        settled = true;
        if (done) completed += 1;
        else errors += 1;
        open.delete(req);
        resolve();
      };
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            finish();
            return;
          }
          res.setEncoding('utf8');
          let pending = '';
          let first = true;
          res.on('data', (/** @type {string} */ text) => {
            const receivedAt = now();
            const lines = (pending + text).split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) {
              if (!line.startsWith('data: ')) continue;
              if (line === 'data: [DONE]') done = true;
              const match = SENT_AT.exec(line);
              if (!match) continue;
              (first ? firstDelays : laterDelays).push(receivedAt - Number(match[1]));
              first = false;
            }
          });
          res.once('end', finish);
          res.once('error', finish);
        },
      );
      open.add(req);
      req.once('error', finish);
      req.once('close', finish);
      req.end(body);
    });

  // Bounded: a stream that has not finished well after its last chunk was due is cut and counted as an error.
  const deadlineMs = staggerMs + chunks * intervalMs + 15_000 + streams * 10;
  const deadline = setTimeout(() => {
    for (const req of open) req.destroy(new Error('deadline'));
  }, deadlineMs);
  try {
    await Promise.all(Array.from({ length: streams }, (_, i) => sleep((i * staggerMs) / streams).then(one)));
  } finally {
    clearTimeout(deadline);
    agent.destroy();
  }
  return {
    streams,
    completed,
    errors,
    firstDelays,
    laterDelays,
    seconds: (performance.now() - started) / 1000,
  };
}
