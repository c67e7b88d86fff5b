import { describe, expect, it } from 'vitest';
import { createBalancer } from './create-balancer.js';
import type { Candidate, Random } from './strategy.js';

function candidate(id: string, weight: number, requests = 0): Candidate {
  return { id, weight, requests };
}

const neverRandom: Random = () => {
  throw new Error('random must not be called');
};

describe('createBalancer', () => {
  it('returns undefined for an empty list', () => {
    for (const strategy of ['round-robin', 'random', 'least-used'] as const) {
      expect(createBalancer({ strategy, random: neverRandom }).pick([])).toBeUndefined();
    }
  });

  it('uses smooth round-robin for "round-robin"', () => {
    const balancer = createBalancer({ strategy: 'round-robin', random: neverRandom });
    const list = [candidate('a', 3), candidate('b', 1)];
    expect(Array.from({ length: 8 }, () => balancer.pick(list)?.id)).toEqual([
      'a',
      'a',
      'b',
      'a',
      'a',
      'a',
      'b',
      'a',
    ]);
  });

  it('uses weighted random with the given source for "random"', () => {
    const values = [0.99, 0, 0.8, 0.5];
    let index = 0;
    const balancer = createBalancer({ strategy: 'random', random: () => values[index++] ?? 0 });
    const list = [candidate('a', 3), candidate('b', 1)];
    expect(values.map(() => balancer.pick(list)?.id)).toEqual(['b', 'a', 'b', 'a']);
  });

  it('uses least-used for "least-used"', () => {
    const balancer = createBalancer({ strategy: 'least-used', random: neverRandom });
    expect(balancer.pick([candidate('a', 1, 4), candidate('b', 1, 1), candidate('c', 1, 2)])?.id).toBe('b');
  });

  it('passes weight-0 providers over while a weighted one is among the candidates', () => {
    for (const strategy of ['round-robin', 'random', 'least-used'] as const) {
      const balancer = createBalancer({ strategy, random: () => 0 });
      const list = [candidate('backup', 0), candidate('main', 1, 100), candidate('backup2', 0)];
      for (let i = 0; i < 5; i++) expect(balancer.pick(list)?.id).toBe('main');
    }
  });

  it('spreads only over weighted providers', () => {
    const balancer = createBalancer({ strategy: 'round-robin', random: neverRandom });
    const list = [candidate('a', 1), candidate('zero', 0), candidate('b', 1)];
    expect(Array.from({ length: 4 }, () => balancer.pick(list)?.id)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('picks the first listed weight-0 provider when no weighted one is left', () => {
    for (const strategy of ['round-robin', 'random', 'least-used'] as const) {
      const balancer = createBalancer({ strategy, random: neverRandom });
      const list = [candidate('backup-1', 0, 50), candidate('backup-2', 0, 0)];
      expect(balancer.pick(list)?.id).toBe('backup-1');
      expect(balancer.pick(list)?.id).toBe('backup-1');
    }
  });

  it('returns the candidate object it was given', () => {
    const balancer = createBalancer({ strategy: 'round-robin', random: neverRandom });
    const provider = { id: 'p', weight: 1, requests: 0, prefix: 'https://p.example' };
    const backup = { id: 'q', weight: 0, requests: 0, prefix: 'https://q.example' };
    expect(balancer.pick([provider])).toBe(provider);
    expect(balancer.pick([backup])).toBe(backup);
  });
});
