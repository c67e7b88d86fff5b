// Command-line options of `npm run bench` (`node bench/run.mjs`).
import { parseArgs } from 'node:util';

export const USAGE = `Usage: npm run bench [-- options]
  --quick                  3 s per load scenario, 100 streams (default: 10 s, 500 streams)
  --duration <s>           seconds per load scenario (throughput and latency)
  --connections <n>        connections for the throughput scenario (default 32)
  --rate <rps>             fixed rate of the latency scenario (default 500)
  --latency-connections <n> connections sharing that rate (default 10)
  --streams <n>            concurrent SSE streams (default 500, quick 100)
  --chunks <n>             chunks per stream (default 20)
  --interval <ms>          milliseconds between chunks (default 50)
  --stream-rounds <n>      bursts of streams per target, taking turns (default 5, quick 2)
  --stream-warm-up <n>     unmeasured bursts per target before them (default 2, quick 0)
  --stagger <ms>           spread the stream starts over this many ms (default 0: all at once)
  --cold-rounds <n>        fresh processes per target in the cold streaming scenario (default 3, quick 1)
  --cold-stagger <ms>      spread of the cold bursts' stream starts (default 250)
  --out <file>             JSON report (default bench/results/latest.json)
  --skip-build             do not run \`npm run build\` first
  --routing                configure the gateway with model lists (model routing reads every body)
  --help`;

/**
 * @param {string} name
 * @param {string | undefined} value
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
function numberOption(name, value, fallback, min, max) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new Error(`--${name} must be a number from ${min} to ${max}, got "${value}"`);
  }
  return number;
}

/** @param {string[]} argv */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      'latency-connections': { type: 'string' },
      streams: { type: 'string' },
      chunks: { type: 'string' },
      interval: { type: 'string' },
      'stream-rounds': { type: 'string' },
      'stream-warm-up': { type: 'string' },
      stagger: { type: 'string' },
      'cold-rounds': { type: 'string' },
      'cold-stagger': { type: 'string' },
      out: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      routing: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const intervalMs = numberOption('interval', values.interval, 50, 0, 10_000);
  const seconds = numberOption('duration', values.duration, quick ? 3 : 10, 1, 600);
  return {
    help: values.help === true,
    quick,
    build: values['skip-build'] !== true,
    routing: values.routing === true,
    throughputSeconds: seconds,
    latencySeconds: seconds,
    warmupSeconds: quick ? 1 : 2,
    connections: numberOption('connections', values.connections, 32, 1, 1000),
    rate: numberOption('rate', values.rate, 500, 1, 100_000),
    latencyConnections: numberOption('latency-connections', values['latency-connections'], 10, 1, 1000),
    streams: numberOption('streams', values.streams, quick ? 100 : 500, 1, 5000),
    chunks: numberOption('chunks', values.chunks, 20, 1, 1000),
    intervalMs,
    streamRounds: numberOption('stream-rounds', values['stream-rounds'], quick ? 2 : 5, 1, 20),
    streamWarmUp: numberOption('stream-warm-up', values['stream-warm-up'], quick ? 0 : 2, 0, 20),
    staggerMs: numberOption('stagger', values.stagger, 0, 0, 60_000),
    coldRounds: numberOption('cold-rounds', values['cold-rounds'], quick ? 1 : 3, 1, 20),
    coldStaggerMs: numberOption('cold-stagger', values['cold-stagger'], 250, 0, 60_000),
    out: values.out ?? 'bench/results/latest.json',
  };
}

/** @typedef {ReturnType<typeof parseOptions>} BenchOptions */
