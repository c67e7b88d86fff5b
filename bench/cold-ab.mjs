// Interleaved A/B of fresh processes for the cold-streaming cost (issue #18): per round, a fresh process of each
// variant in turn (the order rotates), CPU of its start-up and of its first bursts of streams, split into the
// main thread and the others (V8's compile, GC helper and libuv threads), from /proc: robust against other load
// on a shared machine, unlike wall-clock delays. Not part of `npm run bench`; a tool for measuring a change.
//
//   node bench/cold-ab.mjs --rounds 4 bare gateway=dist/gateway.mjs other=/tmp/b/gateway.mjs
//   node bench/cold-ab.mjs bare:--import=./bench/gc-pauses.mjs gw=dist/gateway.mjs:--max-semi-space-size=8,MALLOC_ARENA_MAX=2
//
// A variant is `bare` (bench/bare-proxy.mjs) or `name=path` (a gateway build), then optionally a colon and a
// comma-separated list of Node flags and NAME=value environment variables. Options: --rounds N (default 4),
// --bursts N (default 2), --streams N (500), --chunks N (20), --interval ms (50), --stagger ms (250). Environment:
// PERF_DIR=<folder> records each burst with `perf record -e cpu-clock` (give the variant --perf-basic-prof for
// JavaScript names); SMAPS=1 prints each process's resident memory by mapping after its last burst.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockTicks, resetPeakRss } from './proc-sampler.mjs';
import { killAllNow, removeLogs, startServer, stopAll } from './processes.mjs';
import { sleep } from './stats.mjs';
import { runStreams } from './stream-client.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'bench-client-key';
const base = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0' };

const args = process.argv.slice(2);
/** @param {string} name @param {number} fallback */
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(args.splice(at, 2)[1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number`);
  return value;
};
const rounds = option('rounds', 4);
const bursts = option('bursts', 2);
const stream = {
  key: KEY,
  streams: option('streams', 500),
  chunks: option('chunks', 20),
  intervalMs: option('interval', 50),
  staggerMs: option('stagger', 250),
};
const variants = args.map((spec) => {
  const match = /^([\w-]+)(?:=([^:]+))?(?::(.*))?$/.exec(spec);
  if (!match) throw new Error(`not a variant: ${spec}`);
  if (match?.[1] === 'bare') match[2] ??= join(root, 'bench/bare-proxy.mjs');
  if (!match?.[1] || !match[2]) throw new Error(`not a variant: ${spec}`);
  const all = match[3] ? match[3].split(',') : [];
  // NAME=value items are environment variables (e.g. MALLOC_ARENA_MAX=2), the rest Node flags.
  const env = Object.fromEntries(
    all.filter((f) => /^[A-Z_]+=/.test(f)).map((f) => f.split(/=(.*)/s).slice(0, 2)),
  );
  return { name: match[1], script: match[2], flags: all.filter((f) => !/^[A-Z_]+=/.test(f)), env };
});
if (variants.length === 0) throw new Error('name at least one variant');

/** CPU seconds of the main thread and of the others, from /proc/<pid>/task/<tid>/stat. */
function threadCpu(/** @type {number} */ pid) {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // a thread that ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / clockTicks();
    if (Number(tid) === pid) main += seconds;
    else others += seconds;
  }
  return { main, others };
}
// Threads that ended took their CPU with them from the task list; the process total keeps it.
function processCpu(/** @type {number} */ pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}
// GC pauses, when the variant preloads bench/gc-pauses.mjs (`--import=./bench/gc-pauses.mjs`); zeros otherwise.
function gcPauses(/** @type {number} */ pid) {
  try {
    const [ms = 0, count = 0] = readFileSync(join(tmpdir(), 'gateway-gc-pauses', String(pid)), 'utf8')
      .split(' ')
      .map(Number);
    return { ms, count };
  } catch {
    return { ms: 0, count: 0 };
  }
}
function rssMb(/** @type {number} */ pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rss: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]) / 1024,
    hwm: Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1]) / 1024,
  };
}

process.on('exit', killAllNow);
process.on('SIGINT', () => process.exit(130));

const upstream = await startServer({
  name: 'upstream',
  args: [join(root, 'bench/fake-upstream.mjs')],
  env: base,
});
/** @type {Record<string, { start: number, bursts: { total: number, main: number, others: number, peakMb: number, errors: number, gcMs: number, gcCount: number }[] }[]>} */
const results = Object.fromEntries(variants.map((v) => [v.name, []]));
try {
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) {
      if (!variant) continue;
      const server = await startServer({
        name: `${variant.name}-${round}`,
        args: [...variant.flags, variant.script],
        env: {
          ...variant.env,
          ...(variant.script.endsWith('bare-proxy.mjs')
            ? { ...base, UPSTREAM_URL: upstream.url }
            : {
                ...base,
                HOST: '127.0.0.1',
                PROXY_API_KEYS: KEY,
                DEFAULT_OPENAI_PROVIDER: upstream.url,
                DEFAULT_OPENAI_TOKEN: 'bench-upstream-token',
              }),
        },
      });
      await sleep(300);
      const record = { start: processCpu(server.pid), bursts: /** @type {any[]} */ ([]) };
      for (let burst = 0; burst < bursts; burst++) {
        resetPeakRss(server.pid);
        const total0 = processCpu(server.pid);
        const gc0 = gcPauses(server.pid);
        const threads0 = threadCpu(server.pid);
        let peak = rssMb(server.pid).rss;
        const timer = setInterval(() => {
          try {
            peak = Math.max(peak, rssMb(server.pid).rss);
          } catch {}
        }, 100);
        // PERF_DIR=<folder>: a `perf record -e cpu-clock` of each burst (run the variant with --perf-basic-prof).
        const perf = process.env.PERF_DIR
          ? spawn(
              'perf',
              [
                'record',
                '-q',
                '-e',
                'cpu-clock',
                '-F',
                '2999',
                '-p',
                String(server.pid),
                '-o',
                join(process.env.PERF_DIR, `${variant.name}-r${round + 1}-b${burst + 1}.data`),
              ],
              { stdio: 'ignore' },
            )
          : undefined;
        if (perf) await sleep(200);
        const run = await runStreams({ url: server.url, ...stream });
        clearInterval(timer);
        if (perf) {
          const exited = new Promise((resolve) => perf.once('exit', resolve));
          perf.kill('SIGINT');
          await exited;
        }
        const threads1 = threadCpu(server.pid);
        const total = processCpu(server.pid) - total0;
        const main = threads1.main - threads0.main;
        const gc1 = gcPauses(server.pid);
        record.bursts.push({
          gcMs: gc1.ms - gc0.ms,
          gcCount: gc1.count - gc0.count,
          total,
          main,
          others: total - main,
          peakMb: Math.max(peak, rssMb(server.pid).hwm),
          errors: run.errors,
        });
      }
      if (process.env.SMAPS) {
        // Resident memory by mapping after the last burst: what the process holds besides the JS heap.
        /** @type {Map<string, number>} */
        const byName = new Map();
        let name = '';
        for (const line of readFileSync(`/proc/${server.pid}/smaps`, 'utf8').split('\n')) {
          const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
          if (head) name = head[1] || '[anon]';
          const rss = /^Rss:\s+(\d+)/.exec(line);
          if (rss) byName.set(name, (byName.get(name) ?? 0) + Number(rss[1]));
        }
        const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 6);
        process.stderr.write(
          `  ${variant.name} RSS by mapping (MB): ${top.map(([n, kb]) => `${n.split('/').pop()} ${(kb / 1024).toFixed(1)}`).join(', ')}\n`,
        );
      }
      await server.stop();
      results[variant.name]?.push(record);
      const line = record.bursts
        .map(
          (b, i) =>
            `b${i + 1} ${b.total.toFixed(2)}s (main ${b.main.toFixed(2)}) ${b.peakMb.toFixed(0)}MB${b.errors ? ` ${b.errors} errors` : ''}`,
        )
        .join(', ');
      process.stderr.write(
        `round ${round + 1} ${variant.name}: start ${record.start.toFixed(2)}s, ${line}\n`,
      );
    }
  }
} finally {
  await stopAll();
  removeLogs();
}

const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const bare = results.bare;
for (const variant of variants) {
  const runs = results[variant.name] ?? [];
  const cells = [`${variant.name.padEnd(10)} start ${mean(runs.map((r) => r.start)).toFixed(3)}s`];
  for (let b = 0; b < bursts; b++) {
    const total = mean(runs.map((r) => r.bursts[b]?.total ?? 0));
    const main = mean(runs.map((r) => r.bursts[b]?.main ?? 0));
    const peak = Math.max(...runs.map((r) => r.bursts[b]?.peakMb ?? 0));
    const ratio = bare ? ` (${(total / mean(bare.map((r) => r.bursts[b]?.total ?? 0))).toFixed(2)}x)` : '';
    const gcMs = mean(runs.map((r) => r.bursts[b]?.gcMs ?? 0));
    const gcCount = mean(runs.map((r) => r.bursts[b]?.gcCount ?? 0));
    const gc = gcCount > 0 ? ` gc ${gcMs.toFixed(0)} ms in ${gcCount.toFixed(1)}` : '';
    cells.push(
      `burst ${b + 1}: ${total.toFixed(3)}s${ratio} main ${main.toFixed(3)} others ${(total - main).toFixed(3)} peak ${peak.toFixed(1)}MB${gc}`,
    );
  }
  console.log(cells.join(' | '));
}
