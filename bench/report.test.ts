import { describe, expect, it } from 'vitest';
// @ts-expect-error: the benchmark is plain JavaScript, typed by its JSDoc only.
import { evaluate, nearLimit } from './report.mjs';

/** A report whose targets differ only in throughput (requests/s) and peak RSS (MB). */
function report(gateway: { rps: number; peakMb: number }) {
  const same = { p50Ms: 1, p99Ms: 2, peakRssMb: 100 };
  return {
    scenarios: {
      throughput: {
        direct: { requestsPerSecond: 3000 },
        bare: { requestsPerSecond: 1000 },
        gateway: { requestsPerSecond: gateway.rps },
      },
      latency: { direct: { ...same }, bare: { ...same }, gateway: { ...same } },
      streaming: { direct: same, bare: same, gateway: { ...same, peakRssMb: gateway.peakMb } },
      idleRss: {
        direct: { startMb: 40, warmMb: 50 },
        bare: { startMb: 40, warmMb: 50 },
        gateway: { startMb: 40, warmMb: 50 },
      },
    },
  };
}

type Check = { id: string; measured: string; holds: boolean };
const find = (checks: Check[], id: string) => checks.find((check) => check.id === id) as Check;

describe('evaluate', () => {
  it('shows more decimals when fewer would round a missed target onto its limit', () => {
    expect(nearLimit(0.8996, 0.9)).toBe('0.8996');
    expect(nearLimit(1.2004, 1.2)).toBe('1.2004');
    expect(nearLimit(1.004, 1)).toBe('1.004');
    expect(nearLimit(1.2, 1.2)).toBe('1.20');
    expect(nearLimit(0.93456, 0.9)).toBe('0.93');
  });

  it('shows a third decimal when two would round a missed target onto its limit', () => {
    const checks = evaluate(report({ rps: 897, peakMb: 120.4 })) as Check[];
    expect(find(checks, 'throughput')).toMatchObject({ measured: '0.897x', holds: false });
    expect(find(checks, 'streamPeakRss')).toMatchObject({ measured: '1.204x', holds: false });
  });

  it('keeps two decimals otherwise, and exactly the limit holds', () => {
    const checks = evaluate(report({ rps: 900, peakMb: 110 })) as Check[];
    expect(find(checks, 'throughput')).toMatchObject({ measured: '0.90x', holds: true });
    expect(find(checks, 'streamPeakRss')).toMatchObject({ measured: '1.10x', holds: true });
  });
});
