// Smoke test of the benchmark harness: runs `bench/run.mjs --quick` with tiny settings and checks the shape of
// the JSON report (every scenario for every target, finite positive numbers) and that no server is left.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
const out = join(dir, 'report.json');

const TARGETS = ['direct', 'bare', 'gateway'] as const;
const POSITIVE: Record<string, string[]> = {
  throughput: ['requestsPerSecond', 'requests'],
  latency: ['p50Ms', 'p99Ms', 'achievedRps'],
  streaming: ['p50Ms', 'p99Ms', 'peakRssMb', 'chunks'],
  idleRss: ['startMb', 'warmMb'],
};

type Numbers = Record<string, unknown>;
interface Report {
  command: string;
  date: string;
  machine: { cpuModel: string; cores: number; nodeVersion: string };
  settings: Numbers;
  targets: Record<string, { pid: number; url: string }>;
  scenarios: Record<string, Record<string, Numbers>>;
  checks: { id: string; holds: unknown; value: unknown }[];
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench -- --quick (tiny settings)', () => {
  it('measures every scenario against direct, bare proxy and gateway, and cleans up', async () => {
    // `npm test` has just built dist/; rebuilding here could race other tests that start dist/gateway.mjs.
    const skipBuild = existsSync(join(root, 'dist/gateway.mjs')) ? ['--skip-build'] : [];
    const args = ['bench/run.mjs', '--quick', '--duration', '1', '--streams', '10', '--chunks', '3'];
    args.push('--stream-rounds', '2', '--stream-warm-up', '1', '--cold-rounds', '1');
    const { stdout } = await promisify(execFile)(process.execPath, [...args, ...skipBuild, '--out', out], {
      cwd: root,
      timeout: 120_000,
    });
    expect(stdout).toContain('| 1. throughput');
    expect(stdout).toContain('| Target (gateway against bare proxy) |');

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.command).toContain('--quick');
    expect(Number.isNaN(Date.parse(report.date))).toBe(false);
    expect(report.machine.cpuModel).not.toBe('');
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.nodeVersion).toBe(process.version);
    expect(report.settings).toMatchObject({
      quick: true,
      streams: 10,
      chunks: 3,
      streamRounds: 2,
      streamWarmUp: 1,
    });

    for (const [scenario, fields] of Object.entries(POSITIVE)) {
      for (const target of TARGETS) {
        const result = report.scenarios[scenario]?.[target];
        expect(result, `${scenario}.${target}`).toBeDefined();
        for (const field of fields) {
          const value = result?.[field];
          expect(typeof value, `${scenario}.${target}.${field}`).toBe('number');
          expect(
            Number.isFinite(value) && (value as number) > 0,
            `${scenario}.${target}.${field} = ${value}`,
          ).toBe(true);
        }
        if (scenario === 'latency') {
          expect(Number.isFinite(result?.addedP99Ms), `${target} addedP99Ms`).toBe(true);
          expect(result?.rounds, `${target} latency rounds`).toBeGreaterThanOrEqual(1);
        }
        if (scenario === 'throughput') {
          // Each round's requests/s as measured; the total is over all rounds.
          const rounds = result?.rounds as number[];
          expect(rounds.length, `${target} throughput rounds`).toBeGreaterThanOrEqual(1);
          for (const rps of rounds) expect(rps).toBeGreaterThan(0);
        }
        if (scenario === 'streaming') {
          // CPU time comes in clock ticks (10 ms): a tiny run may use none.
          expect((result?.cpuSeconds as number) >= 0, `${target} cpuSeconds`).toBe(true);
          // Two bursts of 10 streams, each with its own p99 and peak RSS; the delays pooled.
          expect(result?.completed, `${target} completed streams`).toBe(20);
          expect(result?.chunks, `${target} chunks`).toBe(60);
          const rounds = result?.rounds as { p99Ms: number; peakRssMb: number }[];
          expect(rounds).toHaveLength(2);
          for (const round of rounds) {
            expect(round.p99Ms).toBeGreaterThan(0);
            expect(round.p99Ms).toBeLessThanOrEqual(result?.maxMs as number);
            expect(round.peakRssMb).toBeLessThanOrEqual(result?.peakRssMb as number);
          }
        }
      }
    }
    // The cold scenario: a fresh bare proxy and a fresh gateway, one burst to wake each, one measured.
    for (const target of ['bare', 'gateway']) {
      const cold = report.scenarios.coldStream?.[target] as Numbers & { perRound: { pid: number }[] };
      expect(cold, `coldStream.${target}`).toBeDefined();
      expect(cold.completed, `${target} cold completed streams`).toBe(10);
      expect(cold.chunks, `${target} cold chunks`).toBe(30);
      expect(cold.peakRssMb as number).toBeGreaterThan(0);
      expect(cold.lifetimePeakRssMb as number).toBeGreaterThanOrEqual(cold.peakRssMb as number);
      expect((cold.cpuSeconds as number) >= 0).toBe(true);
      expect(cold.perRound).toHaveLength(1);
      for (const { pid } of cold.perRound) {
        expect(pid).toBeGreaterThan(0);
        expect(pid).not.toBe(report.targets[target]?.pid);
        expect(isRunning(pid), `cold ${target} process ${pid} still running`).toBe(false);
      }
    }
    expect(report.checks.map((check) => check.id)).toEqual([
      'throughput',
      'latencyP99Added',
      'streamP50',
      'streamP99',
      'streamPeakRss',
      'idleRss',
      'idleRssStart',
      'coldStreamCpu',
      'coldStreamPeakRss',
    ]);
    for (const check of report.checks) {
      expect(typeof check.holds).toBe('boolean');
      // CPU time comes in clock ticks (10 ms): a tiny cold burst may use none in either process (0 / 0).
      if (check.id !== 'coldStreamCpu') expect(Number.isFinite(check.value), check.id).toBe(true);
    }
    for (const target of TARGETS) {
      const { pid } = report.targets[target] ?? { pid: 0 };
      expect(pid).toBeGreaterThan(0);
      expect(isRunning(pid), `${target} process ${pid} still running`).toBe(false);
    }
  }, 150_000);
});
