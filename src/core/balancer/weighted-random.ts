import type { Random, Strategy } from './strategy.js';

/**
 * Picks each candidate with probability weight / total weight.
 *
 * @example
 * const random = createWeightedRandom({ random: Math.random });
 * random.pick([{ id: 'a', weight: 3, requests: 0 }, { id: 'b', weight: 1, requests: 0 }]); // 'a' 3 times in 4
 */
export function createWeightedRandom(options: { random: Random }): Strategy {
  const { random } = options;
  return {
    pick: function pickWeightedRandom(candidates) {
      let total = 0;
      for (const candidate of candidates) total += candidate.weight;
      let point = random() * total;
      for (const candidate of candidates) {
        point -= candidate.weight;
        if (point < 0) return candidate;
      }
      // Only reached through floating-point rounding at the very top of the range.
      return candidates[candidates.length - 1] ?? candidates[0];
    },
  };
}
