// Turns the measurements into the JSON report (with machine info and the targets' verdicts) and the markdown
// table printed on stdout.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

/** @typedef {'direct' | 'bare' | 'gateway'} TargetId */
export const TARGETS = /** @type {const} */ ({ direct: 'direct', bare: 'bare proxy', gateway: 'gateway' });

export function machineInfo() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {}
  return {
    cpuModel,
    cores: availableParallelism(),
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    nodeVersion: process.version,
    platform: `${process.platform} ${release()}`,
  };
}

/**
 * Adds the derived numbers (added latency over direct) and returns the verdict on each target.
 * @param {{ scenarios: { throughput: Record<TargetId, { requestsPerSecond: number }>,
 *   latency: Record<TargetId, { p50Ms: number, p99Ms: number, addedP50Ms?: number, addedP99Ms?: number }>,
 *   streaming: Record<TargetId, { p50Ms: number, p99Ms: number, peakRssMb: number }>,
 *   idleRss: Record<TargetId, { startMb: number, warmMb: number }>,
 *   coldStream?: Record<'bare' | 'gateway', { cpuSeconds: number, peakRssMb: number }> } }} report
 */
export function evaluate(report) {
  const { throughput, latency, streaming, idleRss, coldStream } = report.scenarios;
  for (const id of /** @type {TargetId[]} */ (Object.keys(TARGETS))) {
    latency[id].addedP50Ms = latency[id].p50Ms - latency.direct.p50Ms;
    latency[id].addedP99Ms = latency[id].p99Ms - latency.direct.p99Ms;
  }
  /** Milliseconds with a sign; `limit` for a figure that a target compares (see {@link nearLimit}). */
  const ms = (/** @type {number} */ n, limit = Number.NaN) => `${n >= 0 ? '+' : ''}${nearLimit(n, limit)} ms`;
  const gwAdded = /** @type {number} */ (latency.gateway.addedP99Ms);
  const bareAdded = /** @type {number} */ (latency.bare.addedP99Ms);
  const p50Diff = streaming.gateway.p50Ms - streaming.bare.p50Ms;
  /**
   * @param {string} id
   * @param {string} target
   * @param {number} value
   * @param {number} limit
   * @param {'min' | 'max'} kind whether the limit is a floor or a ceiling
   * @param {string} [measured]
   */
  const check = (id, target, value, limit, kind, measured = `${nearLimit(value, limit)}x`) => ({
    id,
    target,
    measured,
    value,
    limit,
    holds: kind === 'min' ? value >= limit : value <= limit,
  });
  const relative = (/** @type {{ gateway: any, bare: any }} */ v, /** @type {string} */ key) =>
    v.gateway[key] / v.bare[key];
  return [
    check(
      'throughput',
      'throughput >= 0.9x bare proxy',
      relative(throughput, 'requestsPerSecond'),
      0.9,
      'min',
    ),
    check(
      'latencyP99Added',
      'p99 added latency at fixed rate <= bare proxy added + 1 ms',
      gwAdded - bareAdded,
      1,
      'max',
      `${ms(gwAdded)} vs ${ms(bareAdded)}: ${ms(gwAdded - bareAdded, 1)}`,
    ),
    check('streamP50', 'chunk delay p50 within 1 ms of bare proxy', p50Diff, 1, 'max', ms(p50Diff, 1)),
    check('streamP99', 'chunk delay p99 <= 1.5x bare proxy', relative(streaming, 'p99Ms'), 1.5, 'max'),
    check(
      'streamPeakRss',
      'peak RSS with streams open <= 1.2x bare proxy',
      relative(streaming, 'peakRssMb'),
      1.2,
      'max',
    ),
    check('idleRss', 'idle RSS after warm-up <= 1.5x bare proxy', relative(idleRss, 'warmMb'), 1.5, 'max'),
    check(
      'idleRssStart',
      'idle RSS after start <= 1.5x bare proxy',
      relative(idleRss, 'startMb'),
      1.5,
      'max',
    ),
    ...(coldStream === undefined
      ? []
      : [
          check(
            'coldStreamCpu',
            'cold process: CPU for a burst of streams <= 1.25x bare proxy',
            relative(coldStream, 'cpuSeconds'),
            1.25,
            'max',
          ),
          check(
            'coldStreamPeakRss',
            'cold process: peak RSS with streams open <= 1.2x bare proxy',
            relative(coldStream, 'peakRssMb'),
            1.2,
            'max',
          ),
        ]),
  ];
}

/**
 * `value` to `digits` decimals, or more when fewer would round it onto `limit` (0.8996 is not "0.90", which
 * would read as holding a ">= 0.9" target it misses).
 * @param {number} value @param {number} limit @param {number} [digits]
 */
export function nearLimit(value, limit, digits = 2) {
  let shown = digits;
  while (shown < 6 && value !== limit && Number(value.toFixed(shown)) === limit) shown += 1;
  return value.toFixed(shown);
}

/** @param {number} a @param {number} b */
function ratio(a, b) {
  return b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}x` : '-';
}

/** @param {number} n @param {number} digits */
const fixed = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/**
 * @param {any} report the object written to the JSON file
 * @returns {string} markdown
 */
export function renderMarkdown(report) {
  const { settings: s, scenarios: sc, machine: m } = report;
  /** @type {string[]} */
  const lines = [
    `Gateway benchmark, ${report.date}: ${m.cpuModel}, ${m.cores} cores, Node ${m.nodeVersion}. \`${report.command}\``,
    '',
    '| Scenario | Metric | direct | bare proxy | gateway | gateway / bare | gateway / direct | bare / direct |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  /**
   * @param {string} scenario
   * @param {string} metric
   * @param {Record<TargetId, number>} v
   * @param {number} digits
   * @param {boolean} [ratios]
   */
  const row = (scenario, metric, v, digits, ratios = true) => {
    const r = (/** @type {number} */ a, /** @type {number} */ b) => (ratios ? ratio(a, b) : '-');
    lines.push(
      `| ${scenario} | ${metric} | ${fixed(v.direct, digits)} | ${fixed(v.bare, digits)} | ${fixed(v.gateway, digits)} | ` +
        `${r(v.gateway, v.bare)} | ${r(v.gateway, v.direct)} | ${r(v.bare, v.direct)} |`,
    );
  };
  /** @param {Record<TargetId, any>} scenario @param {string} key */
  const pick = (scenario, key) => ({
    direct: scenario.direct[key],
    bare: scenario.bare[key],
    gateway: scenario.gateway[key],
  });
  row(
    `1. throughput (${s.connections} conns, ${s.throughputSeconds} s)`,
    'requests/s',
    pick(sc.throughput, 'requestsPerSecond'),
    0,
  );
  const latency = `2. latency at ${s.rate} rps (${s.latencyConnections} conns, ${s.latencySeconds} s)`;
  row(latency, 'p50 ms', pick(sc.latency, 'p50Ms'), 3);
  row('', 'p99 ms', pick(sc.latency, 'p99Ms'), 3);
  row('', 'added p50 over direct, ms', pick(sc.latency, 'addedP50Ms'), 3, false);
  row('', 'added p99 over direct, ms', pick(sc.latency, 'addedP99Ms'), 3, false);
  const bursts = `${s.streamRounds} burst${s.streamRounds === 1 ? '' : 's'}`;
  const streams = `3. streaming (${s.streams} streams x ${s.chunks} chunks, ${s.intervalMs} ms apart, ${bursts})`;
  row(streams, 'chunk delay p50 ms', pick(sc.streaming, 'p50Ms'), 3);
  row('', 'chunk delay p99 ms', pick(sc.streaming, 'p99Ms'), 3);
  row('', '- first chunk of each stream, p99 ms', pick(sc.streaming, 'firstChunkP99Ms'), 3);
  row('', '- later chunks, p99 ms', pick(sc.streaming, 'laterChunksP99Ms'), 3);
  row('', 'peak RSS MB (direct: upstream)', pick(sc.streaming, 'peakRssMb'), 1);
  row('', 'CPU s per burst (direct: upstream)', pick(sc.streaming, 'cpuSeconds'), 2);
  row('4. idle RSS (direct: upstream)', 'after start, MB', pick(sc.idleRss, 'startMb'), 1);
  row('', `after warm-up, MB`, pick(sc.idleRss, 'warmMb'), 1);
  if (sc.coldStream !== undefined) {
    /** @param {string} key */
    const cold = (key) => ({
      direct: Number.NaN,
      bare: sc.coldStream.bare[key],
      gateway: sc.coldStream.gateway[key],
    });
    const fresh = `${s.coldRounds} fresh process${s.coldRounds === 1 ? '' : 'es'} each`;
    row(
      `5. cold streaming (${fresh}: 1 burst to wake, 1 measured; starts over ${s.coldStaggerMs} ms)`,
      'CPU s for the measured burst',
      cold('cpuSeconds'),
      2,
    );
    row('', 'CPU s for the first burst', cold('warmUpCpuSeconds'), 2);
    row('', 'chunk delay p50 ms', cold('p50Ms'), 3);
    row('', 'chunk delay p99 ms', cold('p99Ms'), 3);
    row('', 'peak RSS MB (measured burst)', cold('peakRssMb'), 1);
    row('', 'peak RSS MB (both bursts)', cold('lifetimePeakRssMb'), 1);
  }
  lines.push('', '| Target (gateway against bare proxy) | Measured | Holds |', '| --- | --- | --- |');
  for (const c of report.checks)
    lines.push(`| ${c.target} | ${c.measured} | ${c.holds ? 'yes' : '**NO**'} |`);
  if (report.warnings.length > 0)
    lines.push('', ...report.warnings.map((/** @type {string} */ w) => `Warning: ${w}`));
  return `${lines.join('\n')}\n`;
}

/**
 * What makes numbers doubtful: failed requests or streams, a rate not reached, other processes using the CPU.
 * @param {{ scenarios: any, otherLoad: { otherShare: number, otherCpuSeconds: number } }} measured
 */
export function warningsFor({ scenarios, otherLoad }) {
  /** @type {string[]} */
  const warnings = [];
  for (const id of /** @type {TargetId[]} */ (Object.keys(TARGETS))) {
    for (const name of ['throughput', 'latency']) {
      const { errors, non2xx } = scenarios[name][id];
      if (errors + non2xx > 0) warnings.push(`${name} ${TARGETS[id]}: ${errors} errors, ${non2xx} non-2xx`);
    }
    const s = scenarios.streaming[id];
    if (s.errors > 0 || s.completed !== s.streams) {
      warnings.push(
        `streaming ${TARGETS[id]}: ${s.completed}/${s.streams} streams completed, ${s.errors} failed`,
      );
    }
    const c = id === 'direct' ? undefined : scenarios.coldStream?.[id];
    if (c !== undefined && (c.errors > 0 || c.completed !== c.streams)) {
      warnings.push(
        `cold streaming ${TARGETS[id]}: ${c.completed}/${c.streams} streams completed, ${c.errors} failed`,
      );
    }
    const achieved = scenarios.latency[id].achievedRps;
    if (achieved < scenarios.latency[id].rate * 0.9) {
      warnings.push(`latency ${TARGETS[id]}: only ${achieved.toFixed(0)} requests/s achieved`);
    }
  }
  if (otherLoad.otherShare > 0.05) {
    warnings.push(
      `other processes used ${otherLoad.otherCpuSeconds.toFixed(1)} CPU s during the run ` +
        `(${(otherLoad.otherShare * 100).toFixed(0)}% of the machine): numbers are skewed, run again on an idle machine`,
    );
  }
  return warnings;
}
