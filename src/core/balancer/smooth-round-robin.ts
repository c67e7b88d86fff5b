import type { Strategy } from './strategy.js';

/**
 * Smooth weighted round-robin (nginx's algorithm): each pick adds every candidate's weight to its running
 * score, takes the highest, and subtracts the total from the winner. Weights 3:1 give A A B A, never A A A B.
 * Scores are kept per id, so picking from a subset (e.g. after a failed attempt) keeps the rhythm.
 *
 * @example
 * const rr = createSmoothRoundRobin();
 * rr.pick([{ id: 'a', weight: 3, requests: 0 }, { id: 'b', weight: 1, requests: 0 }]).id; // 'a'
 */
export function createSmoothRoundRobin(): Strategy {
  const scores = new Map<string, number>();
  return {
    pick: function pickSmoothRoundRobin(candidates) {
      let best = candidates[0];
      let bestScore = Number.NEGATIVE_INFINITY;
      let total = 0;
      for (const candidate of candidates) {
        const score = (scores.get(candidate.id) ?? 0) + candidate.weight;
        scores.set(candidate.id, score);
        total += candidate.weight;
        if (score > bestScore) {
          best = candidate;
          bestScore = score;
        }
      }
      scores.set(best.id, bestScore - total);
      return best;
    },
  };
}
