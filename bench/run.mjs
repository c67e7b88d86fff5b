// `npm run bench`: builds the gateway, starts the fake upstream, the bare node:http proxy and the gateway (each
// in its own process and port on 127.0.0.1), measures the three targets in the same run, prints a markdown
// table on stdout and writes bench/results/latest.json. Progress goes to stderr. See bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStreaming } from './cold.mjs';
import { latencyRound, summarizeLatency, summarizeThroughput, throughputRound, warmUp } from './load.mjs';
import { parseOptions, USAGE } from './options.mjs';
import { readProcess, startSampler, watchOtherLoad } from './proc-sampler.mjs';
import { build, killAllNow, removeLogs, startServer, stopAll } from './processes.mjs';
import { evaluate, machineInfo, renderMarkdown, TARGETS, warningsFor } from './report.mjs';
import { sleep } from './stats.mjs';
import { runStreams, summarizeStreams } from './stream-client.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLIENT_KEY = 'bench-client-key';
const log = (/** @type {string} */ message) => process.stderr.write(`[bench] ${message}\n`);
/** Set on SIGINT / SIGTERM: no new measurement starts. */
let stopping = false;
/** @typedef {import('./report.mjs').TargetId} TargetId */
/** @typedef {{ id: TargetId, process: string, pid: number, url: string }} Target */

const base = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0' };

/**
 * The gateway's environment: the fake upstream as its one provider (or, with `--routing`, model lists on).
 * @param {string} upstreamUrl
 * @param {import('./options.mjs').BenchOptions} options
 */
const gatewayEnv = (upstreamUrl, options) => ({
  ...base,
  HOST: '127.0.0.1',
  PROXY_API_KEYS: CLIENT_KEY,
  ...(options.routing
    ? {
        // Model routing on: the gateway reads the model out of every body. The second provider serves
        // other models only, so every request still goes to the fake upstream.
        ADDITIONAL_PROVIDERS: JSON.stringify([
          { id: 'default', baseUrl: upstreamUrl, token: 'bench-upstream-token', models: ['bench-*'] },
          { id: 'other', baseUrl: 'http://127.0.0.1:9', models: ['other-model'] },
        ]),
      }
    : { DEFAULT_OPENAI_PROVIDER: upstreamUrl, DEFAULT_OPENAI_TOKEN: 'bench-upstream-token' }),
});

/**
 * Starts a fresh bare proxy or gateway in front of `upstreamUrl`.
 * @param {'bare' | 'gateway'} id
 * @param {string} upstreamUrl
 * @param {import('./options.mjs').BenchOptions} options
 * @param {string} [suffix] told apart in the log file names
 */
const startProxy = (id, upstreamUrl, options, suffix = '') =>
  id === 'bare'
    ? startServer({
        name: `bare-proxy${suffix}`,
        args: [join(root, 'bench/bare-proxy.mjs')],
        env: { ...base, UPSTREAM_URL: upstreamUrl },
      })
    : startServer({
        name: `gateway${suffix}`,
        args: [join(root, 'dist/gateway.mjs')],
        env: gatewayEnv(upstreamUrl, options),
      });

/** @param {import('./options.mjs').BenchOptions} options */
async function startTargets(options) {
  const upstream = await startServer({
    name: 'upstream',
    args: [join(root, 'bench/fake-upstream.mjs')],
    env: base,
  });
  const bare = await startProxy('bare', upstream.url, options);
  const gateway = await startProxy('gateway', upstream.url, options);
  /** @type {Target[]} */
  const targets = [
    { id: 'direct', process: upstream.name, pid: upstream.pid, url: upstream.url },
    { id: 'bare', process: bare.name, pid: bare.pid, url: bare.url },
    { id: 'gateway', process: gateway.name, pid: gateway.pid, url: gateway.url },
  ];
  return targets;
}

/**
 * Runs `measure` on each target in turn, collecting the results by target id.
 * @template T
 * @param {Target[]} targets
 * @param {string} label
 * @param {(target: Target) => Promise<T>} measure
 * @returns {Promise<Record<TargetId, T>>}
 */
async function eachTarget(targets, label, measure) {
  /** @type {Partial<Record<TargetId, T>>} */
  const results = {};
  for (const target of targets) {
    if (stopping) throw new Error('interrupted');
    log(`${label}: ${TARGETS[target.id]}`);
    results[target.id] = await measure(target);
  }
  return /** @type {Record<TargetId, T>} */ (results);
}

/**
 * Runs `measure` `rounds` times on every target, the targets taking turns within each round.
 * @template T
 * @param {Target[]} targets
 * @param {string} label
 * @param {number} rounds
 * @param {(target: Target) => Promise<T>} measure
 * @returns {Promise<Record<TargetId, T[]>>}
 */
async function interleaved(targets, label, rounds, measure) {
  /** @type {Partial<Record<TargetId, T[]>>} */
  const results = {};
  for (let round = 1; round <= rounds; round++) {
    const turn = await eachTarget(targets, `${label}, round ${round}/${rounds}`, measure);
    for (const target of targets) {
      results[target.id] ??= [];
      results[target.id]?.push(turn[target.id]);
    }
  }
  return /** @type {Record<TargetId, T[]>} */ (results);
}

/**
 * @template T
 * @param {Target[]} targets
 * @param {(id: TargetId) => T} value
 * @returns {Record<TargetId, T>}
 */
const byTarget = (targets, value) =>
  /** @type {Record<TargetId, T>} */ (Object.fromEntries(targets.map(({ id }) => [id, value(id)])));

/** @param {Target[]} targets */
const rssMb = (targets) =>
  Object.fromEntries(targets.map((target) => [target.id, readProcess(target.pid).rssKb / 1024]));

/** @param {import('./options.mjs').BenchOptions} options */
async function measureAll(options) {
  const targets = await startTargets(options);
  const otherLoad = watchOtherLoad(targets.map((target) => target.pid));
  const key = CLIENT_KEY;
  const stream = {
    key,
    chunks: options.chunks,
    intervalMs: options.intervalMs,
    staggerMs: options.staggerMs,
  };
  // Each target must answer both kinds of request before anything is measured.
  await eachTarget(targets, 'check', async ({ url, id }) => {
    const answer = await fetch(new URL('/v1/chat/completions', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"model":"bench-model","messages":[]}',
      signal: AbortSignal.timeout(10_000),
    });
    const text = await answer.text();
    const run = await runStreams({ url, key, streams: 2, chunks: 2, intervalMs: 1 });
    if (answer.status !== 200 || !text.includes('chat.completion') || run.completed !== 2) {
      throw new Error(`${TARGETS[id]} does not answer as expected: ${answer.status} ${JSON.stringify(run)}`);
    }
  });
  await sleep(500);
  const idleStart = rssMb(targets);
  await eachTarget(targets, 'warm-up', async ({ url }) => {
    await warmUp({ url, key, seconds: options.warmupSeconds });
    await runStreams({ url, key, streams: Math.min(options.streams, 50), chunks: 3, intervalMs: 10 });
  });
  await sleep(1000);
  const idleWarm = rssMb(targets);
  // Unmeasured bursts of the scenario's own size first (--stream-warm-up, default 2): a process's first bursts
  // of hundreds of streams are mostly its JIT compiling the streaming path (main thread, 500 streams of one
  // chunk, on this machine: the gateway 410, 250, 150, 120 ms for its first four bursts and ~110 ms from then
  // on; the bare proxy 340, 160, 140, 140 and ~100), which says how a process warms up, not what a stream
  // costs. `--stream-warm-up 0` measures the cold bursts.
  for (let burst = 1; burst <= options.streamWarmUp; burst++) {
    await eachTarget(targets, `streaming warm-up ${burst}/${options.streamWarmUp}`, ({ url }) =>
      runStreams({ url, streams: options.streams, ...stream }),
    );
  }
  // Streaming runs first, so that its peak RSS is not what is left over from the throughput scenario. In
  // rounds, the targets taking turns as below: one burst of streams is one sample of a chaotic process (the
  // bare proxy's own p99 went from 23 to 107 ms between identical bursts), so the delays of every round are
  // pooled; peak RSS is the highest of any round, CPU the mean per round.
  const streamRuns = await interleaved(
    targets,
    `streaming (${options.streams} streams)`,
    options.streamRounds,
    async (target) => {
      const sampler = startSampler(target.pid, 100);
      const run = await runStreams({ url: target.url, streams: options.streams, ...stream });
      return { run, usage: sampler.stop() };
    },
  );
  const streaming = byTarget(targets, (id) => {
    const runs = streamRuns[id];
    const summary = summarizeStreams(runs.map(({ run }) => run));
    return {
      ...summary,
      rounds: summary.rounds.map((round, i) => ({ ...round, peakRssMb: runs[i]?.usage.peakRssMb })),
      peakRssMb: Math.max(...runs.map(({ usage }) => usage.peakRssMb)),
      cpuSeconds: runs.reduce((total, { usage }) => total + usage.cpuSeconds, 0) / runs.length,
      samples: runs.reduce((total, { usage }) => total + usage.samples, 0),
      hwmReset: runs.every(({ usage }) => usage.hwmReset),
      process: targets.find((target) => target.id === id)?.process,
    };
  });
  // Throughput and latency run in rounds of about 2 s, the targets taking turns (direct, bare, gateway, direct,
  // ...), so that load from elsewhere on a shared machine, which comes and goes, falls on all three alike.
  const rounds = (/** @type {number} */ seconds) => Math.max(1, Math.round(seconds / 2));
  const throughputRuns = await interleaved(
    targets,
    'throughput',
    rounds(options.throughputSeconds),
    ({ url }) =>
      throughputRound({
        url,
        key,
        connections: options.connections,
        seconds: options.throughputSeconds / rounds(options.throughputSeconds),
      }),
  );
  const latencyRuns = await interleaved(
    targets,
    `latency at ${options.rate} rps`,
    rounds(options.latencySeconds),
    ({ url }) =>
      latencyRound({
        url,
        key,
        connections: options.latencyConnections,
        seconds: options.latencySeconds / rounds(options.latencySeconds),
        rate: options.rate,
      }),
  );
  const throughput = byTarget(targets, (id) => summarizeThroughput(throughputRuns[id]));
  const latency = byTarget(targets, (id) => summarizeLatency(latencyRuns[id], options.rate));
  /** @type {Record<string, { startMb: number, warmMb: number, process: string }>} */
  const idleRss = {};
  for (const { id, process } of targets)
    idleRss[id] = { startMb: idleStart[id], warmMb: idleWarm[id], process };
  // Last, so that its extra processes disturb nothing else: fresh processes, one burst to wake them, one measured.
  let cold = 0;
  const coldStream = await coldStreaming({
    start: {
      bare: () => startProxy('bare', targets[0]?.url ?? '', options, `-cold-${++cold}`),
      gateway: () => startProxy('gateway', targets[0]?.url ?? '', options, `-cold-${++cold}`),
    },
    rounds: options.coldRounds,
    stream: { ...stream, streams: options.streams, staggerMs: options.coldStaggerMs },
    log,
    stopping: () => stopping,
  });
  return {
    targets,
    scenarios: { throughput, latency, streaming, idleRss, coldStream },
    otherLoad: otherLoad.stop(availableParallelism()),
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const command =
    process.env.npm_lifecycle_event === 'bench'
      ? `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`
      : `node bench/run.mjs ${argv.join(' ')}`.trim();
  const started = Date.now();
  // Every step is bounded; this is the last resort if one is not.
  const budgetMs =
    (options.throughputSeconds + options.latencySeconds + options.warmupSeconds) * 3_000 +
    options.coldRounds * 30_000 +
    240_000;
  setTimeout(() => {
    log(`still running after ${budgetMs / 1000} s: giving up`);
    killAllNow();
    process.exit(1);
  }, budgetMs).unref();
  if (options.build) {
    log('npm run build');
    build();
  }
  const measured = await measureAll(options);
  await stopAll();
  const { help: _help, out, ...settings } = options;
  const report = {
    command,
    date: new Date(started).toISOString(),
    wallSeconds: (Date.now() - started) / 1000,
    machine: machineInfo(),
    settings,
    targets: Object.fromEntries(
      measured.targets.map(({ id, process, pid, url }) => [id, { process, pid, url }]),
    ),
    scenarios: measured.scenarios,
    otherLoad: measured.otherLoad,
    checks: /** @type {ReturnType<typeof evaluate>} */ ([]),
    warnings: /** @type {string[]} */ ([]),
  };
  report.checks = evaluate(report);
  report.warnings = warningsFor(report);
  const file = resolve(root, out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(renderMarkdown(report));
  log(`JSON report: ${file} (${report.wallSeconds.toFixed(1)} s)`);
  removeLogs();
}

/** @param {NodeJS.Signals} signal */
async function interrupted(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping the servers`);
  await stopAll();
  removeLogs();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
process.on('exit', killAllNow);

main().catch(async (error) => {
  if (stopping) return; // interrupted() cleans up and exits
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  await stopAll();
  const kept = removeLogs(true);
  if (kept) log(`server logs kept in ${kept}`);
  process.exitCode = 1;
});
