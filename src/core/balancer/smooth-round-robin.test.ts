import { describe, expect, it } from 'vitest';
import { createSmoothRoundRobin } from './smooth-round-robin.js';
import type { Candidate } from './strategy.js';

function candidate(id: string, weight: number, requests = 0): Candidate {
  return { id, weight, requests };
}

function picks(count: number, pick: () => Candidate): string[] {
  return Array.from({ length: count }, () => pick().id);
}

describe('createSmoothRoundRobin', () => {
  it('gives A A B A, repeated, for weights 3:1', () => {
    const rr = createSmoothRoundRobin();
    const list = [candidate('a', 3), candidate('b', 1)] as const;
    expect(picks(8, () => rr.pick(list))).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
  });

  it('never picks the heavy one three times in a row for 3:1 over many rounds', () => {
    const rr = createSmoothRoundRobin();
    const list = [candidate('a', 3), candidate('b', 1)] as const;
    const sequence = picks(400, () => rr.pick(list)).join('');
    expect(sequence).not.toContain('aaaa');
    expect(sequence.split('b').length - 1).toBe(100);
  });

  it('alternates with equal weights', () => {
    const rr = createSmoothRoundRobin();
    const list = [candidate('a', 1), candidate('b', 1)] as const;
    expect(picks(6, () => rr.pick(list))).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('cycles through three equal candidates in order', () => {
    const rr = createSmoothRoundRobin();
    const list = [candidate('a', 2), candidate('b', 2), candidate('c', 2)] as const;
    expect(picks(6, () => rr.pick(list))).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('interleaves weights 5:1:1 smoothly (nginx sequence)', () => {
    const rr = createSmoothRoundRobin();
    const list = [candidate('a', 5), candidate('b', 1), candidate('c', 1)] as const;
    expect(picks(7, () => rr.pick(list))).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('spreads picks exactly in proportion to the weights over full cycles', () => {
    const rr = createSmoothRoundRobin();
    const list = [candidate('a', 4), candidate('b', 2), candidate('c', 1)] as const;
    const counts = new Map<string, number>();
    for (const id of picks(70, () => rr.pick(list))) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ a: 40, b: 20, c: 10 });
  });

  it('returns the candidate object itself', () => {
    const rr = createSmoothRoundRobin();
    const only = { id: 'x', weight: 1, requests: 0, extra: 'kept' };
    expect(rr.pick([only])).toBe(only);
  });

  it('always picks the only candidate', () => {
    const rr = createSmoothRoundRobin();
    expect(picks(3, () => rr.pick([candidate('x', 7)]))).toEqual(['x', 'x', 'x']);
  });

  it('picks only among a subset, then resumes the rhythm on the full list', () => {
    const rr = createSmoothRoundRobin();
    const a = candidate('a', 1);
    const b = candidate('b', 1);
    const c = candidate('c', 1);
    expect(rr.pick([a, b, c]).id).toBe('a');
    // 'b' failed: retry among the others.
    expect(rr.pick([a, c]).id).toBe('c');
    // b, skipped by the retry, is owed the next pick; then the plain rotation goes on.
    expect(picks(6, () => rr.pick([a, b, c]))).toEqual(['b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('keeps every pick within the subset it is given', () => {
    const rr = createSmoothRoundRobin();
    const all = [candidate('a', 3), candidate('b', 2), candidate('c', 1)] as const;
    for (let i = 0; i < 50; i++) {
      const subset = i % 3 === 0 ? ([all[1], all[2]] as const) : all;
      expect(subset.map((item) => item.id)).toContain(rr.pick(subset).id);
    }
  });

  it('keeps proportions over a long run with occasional subsets', () => {
    const rr = createSmoothRoundRobin();
    const a = candidate('a', 1);
    const b = candidate('b', 1);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 1000; i++) {
      const picked = i % 10 === 0 ? rr.pick([b]) : rr.pick([a, b]);
      counts[picked.id as 'a' | 'b'] += 1;
    }
    // 100 forced picks of b; the other 900 split evenly.
    expect(Math.abs(counts.a - 450)).toBeLessThanOrEqual(1);
    expect(counts.a + counts.b).toBe(1000);
  });

  it('keeps separate state per instance', () => {
    const first = createSmoothRoundRobin();
    const second = createSmoothRoundRobin();
    const list = [candidate('a', 1), candidate('b', 1)] as const;
    expect(first.pick(list).id).toBe('a');
    expect(second.pick(list).id).toBe('a');
    expect(first.pick(list).id).toBe('b');
  });
});
