import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.js';

const ALMOST_ONE = 1 - Number.EPSILON;

describe('createBackoff', () => {
  const low = createBackoff({ baseMs: 200, maxMs: 10_000, random: () => 0 });
  const high = createBackoff({ baseMs: 200, maxMs: 10_000, random: () => ALMOST_ONE });

  it('uses baseMs for the first failure: half of it at random 0, all of it at random ~1', () => {
    expect(low(1)).toBe(100);
    expect(high(1)).toBe(200);
  });

  it('treats 0 and negative counts like the first failure', () => {
    for (const failures of [0, -1, -10]) {
      expect(low(failures)).toBe(100);
      expect(high(failures)).toBe(200);
    }
  });

  it('doubles with each failure, between half and all of baseMs * 2^(n-1)', () => {
    expect([2, 3, 4, 5].map(low)).toEqual([200, 400, 800, 1_600]);
    expect([2, 3, 4, 5].map(high)).toEqual([400, 800, 1_600, 3_200]);
  });

  it('lands in between for a random value in between', () => {
    const mid = createBackoff({ baseMs: 200, maxMs: 10_000, random: () => 0.5 });
    expect(mid(3)).toBe(600);
  });

  it('caps the delay at maxMs, jitter included', () => {
    // 200 * 2^6 = 12_800 > 10_000.
    expect(low(7)).toBe(5_000);
    expect(high(7)).toBe(10_000);
    expect(high(100)).toBe(10_000);
    expect(low(10_000)).toBe(5_000);
  });

  it('returns whole milliseconds', () => {
    const odd = createBackoff({ baseMs: 3, maxMs: 1_000, random: () => 0.3 });
    for (const failures of [1, 2, 3, 4]) expect(Number.isInteger(odd(failures))).toBe(true);
  });

  it('calls random once per delay', () => {
    let calls = 0;
    const counted = createBackoff({
      baseMs: 100,
      maxMs: 1_000,
      random: () => {
        calls += 1;
        return 0;
      },
    });
    counted(1);
    counted(4);
    expect(calls).toBe(2);
  });
});
