import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import type { Candidate, Random } from './strategy.js';
import { createWeightedRandom } from './weighted-random.js';

function candidate(id: string, weight: number): Candidate {
  return { id, weight, requests: 0 };
}

/** Returns the given values in order, then fails loudly. */
function sequence(values: readonly number[]): Random {
  let index = 0;
  return () => {
    const value = values[index++];
    if (value === undefined) throw new Error('random called more often than expected');
    return value;
  };
}

describe('createWeightedRandom', () => {
  it('maps random values onto weights 3:1 (0, 0.74, 0.76, 0.99 -> a, a, b, b)', () => {
    const strategy = createWeightedRandom({ random: sequence([0, 0.74, 0.76, 0.99]) });
    const list = [candidate('a', 3), candidate('b', 1)] as const;
    expect([0, 1, 2, 3].map(() => strategy.pick(list).id)).toEqual(['a', 'a', 'b', 'b']);
  });

  it('uses half-open intervals: 0.75 of 3:1 is b', () => {
    const strategy = createWeightedRandom({ random: sequence([0.75, 0.7499]) });
    const list = [candidate('a', 3), candidate('b', 1)] as const;
    expect(strategy.pick(list).id).toBe('b');
    expect(strategy.pick(list).id).toBe('a');
  });

  it('maps values onto three candidates in order', () => {
    const strategy = createWeightedRandom({ random: sequence([0.1, 0.3, 0.6, 0.95]) });
    const list = [candidate('a', 1), candidate('b', 2), candidate('c', 2)] as const;
    expect([0, 1, 2, 3].map(() => strategy.pick(list).id)).toEqual(['a', 'b', 'c', 'c']);
  });

  it('calls random exactly once per pick', () => {
    let calls = 0;
    const strategy = createWeightedRandom({
      random: () => {
        calls += 1;
        return 0.5;
      },
    });
    strategy.pick([candidate('a', 1), candidate('b', 1), candidate('c', 1)]);
    strategy.pick([candidate('a', 1)]);
    expect(calls).toBe(2);
  });

  it('returns the last candidate for a value just below 1', () => {
    const strategy = createWeightedRandom({ random: () => 1 - Number.EPSILON });
    const list = [candidate('a', 0.1), candidate('b', 0.2), candidate('c', 0.3)] as const;
    expect(strategy.pick(list).id).toBe('c');
  });

  it('returns the candidate object itself', () => {
    const strategy = createWeightedRandom({ random: () => 0.2 });
    const only = { id: 'x', weight: 2, requests: 5 };
    expect(strategy.pick([only])).toBe(only);
  });

  it('picks in proportion to the weights over 4000 seeded picks', () => {
    const strategy = createWeightedRandom({ random: mulberry32(12345) });
    const list = [candidate('a', 3), candidate('b', 1)] as const;
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) counts[strategy.pick(list).id as 'a' | 'b'] += 1;
    expect(counts.a + counts.b).toBe(4000);
    // Expected 3000 / 1000; the standard deviation is about 27.
    expect(Math.abs(counts.a - 3000)).toBeLessThan(120);
    expect(Math.abs(counts.b - 1000)).toBeLessThan(120);
  });

  it('picks three weights 1:2:5 in proportion over 4000 seeded picks', () => {
    const strategy = createWeightedRandom({ random: mulberry32(7) });
    const list = [candidate('a', 1), candidate('b', 2), candidate('c', 5)] as const;
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 4000; i++) counts[strategy.pick(list).id as 'a' | 'b' | 'c'] += 1;
    expect(Math.abs(counts.a - 500)).toBeLessThan(100);
    expect(Math.abs(counts.b - 1000)).toBeLessThan(120);
    expect(Math.abs(counts.c - 2500)).toBeLessThan(150);
  });
});
