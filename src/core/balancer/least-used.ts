import type { Strategy } from './strategy.js';

/**
 * Picks the candidate with the fewest requests relative to its weight; ties go to the one listed first,
 * so with equal weights it behaves like round-robin.
 *
 * @example
 * createLeastUsed().pick([{ id: 'a', weight: 2, requests: 3 }, { id: 'b', weight: 1, requests: 1 }]).id; // 'b'
 */
export function createLeastUsed(): Strategy {
  return {
    pick: function pickLeastUsed(candidates) {
      let best = candidates[0];
      let bestLoad = best.requests / best.weight;
      for (const candidate of candidates) {
        const load = candidate.requests / candidate.weight;
        if (load < bestLoad) {
          best = candidate;
          bestLoad = load;
        }
      }
      return best;
    },
  };
}
