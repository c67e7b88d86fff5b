import { describe, expect, it } from 'vitest';
import { createLeastUsed } from './least-used.js';
import type { Candidate } from './strategy.js';

/** A candidate whose counter the test bumps, like the provider pool does. */
interface Counter {
  id: string;
  weight: number;
  requests: number;
}

function candidate(id: string, weight: number, requests: number): Candidate {
  return { id, weight, requests };
}

describe('createLeastUsed', () => {
  it('picks the candidate with the fewest requests', () => {
    const strategy = createLeastUsed();
    expect(strategy.pick([candidate('a', 1, 5), candidate('b', 1, 2), candidate('c', 1, 3)]).id).toBe('b');
  });

  it('weighs requests by weight (requests / weight)', () => {
    const strategy = createLeastUsed();
    // a: 3/2 = 1.5, b: 1/1 = 1
    expect(strategy.pick([candidate('a', 2, 3), candidate('b', 1, 1)]).id).toBe('b');
    // a: 3/4 = 0.75, b: 1/1 = 1
    expect(strategy.pick([candidate('a', 4, 3), candidate('b', 1, 1)]).id).toBe('a');
  });

  it('gives ties to the candidate listed first', () => {
    const strategy = createLeastUsed();
    expect(strategy.pick([candidate('a', 1, 2), candidate('b', 1, 2)]).id).toBe('a');
    expect(strategy.pick([candidate('b', 1, 2), candidate('a', 1, 2)]).id).toBe('b');
    // 4/2 and 2/1 are the same load.
    expect(strategy.pick([candidate('x', 1, 3), candidate('a', 2, 4), candidate('b', 1, 2)]).id).toBe('a');
  });

  it('picks the first of all-zero counters', () => {
    const strategy = createLeastUsed();
    expect(strategy.pick([candidate('a', 1, 0), candidate('b', 5, 0)]).id).toBe('a');
  });

  it('behaves like round-robin with equal weights as counters grow', () => {
    const strategy = createLeastUsed();
    const list: [Counter, ...Counter[]] = [
      { id: 'a', weight: 1, requests: 0 },
      { id: 'b', weight: 1, requests: 0 },
      { id: 'c', weight: 1, requests: 0 },
    ];
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const picked = strategy.pick(list);
      order.push(picked.id);
      picked.requests += 1;
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('returns the candidate object itself', () => {
    const strategy = createLeastUsed();
    const only = { id: 'x', weight: 1, requests: 9 };
    expect(strategy.pick([only])).toBe(only);
  });
});
