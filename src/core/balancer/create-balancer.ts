import type { StrategyName } from '../config/fields.js';
import { createLeastUsed } from './least-used.js';
import { createSmoothRoundRobin } from './smooth-round-robin.js';
import type { Candidate, Random, Strategy } from './strategy.js';
import { createWeightedRandom } from './weighted-random.js';

const hasWeight = (candidate: Candidate) => candidate.weight > 0;
const isNonEmpty = <C>(list: readonly C[]): list is readonly [C, ...C[]] => list.length > 0;

export interface Balancer {
  /** One of `candidates`, or undefined when there are none. */
  pick<C extends Candidate>(candidates: readonly C[]): C | undefined;
}

/**
 * The strategy named by `LOAD_BALANCER_STRATEGY`, plus the rule for weight 0: such a provider is a backup,
 * chosen (first listed first) only when no provider with a weight is among the candidates.
 *
 * @example
 * const balancer = createBalancer({ strategy: 'round-robin', random: Math.random });
 * balancer.pick(providers);
 */
export function createBalancer(options: { strategy: StrategyName; random: Random }): Balancer {
  const strategy: Strategy =
    options.strategy === 'random'
      ? createWeightedRandom({ random: options.random })
      : options.strategy === 'least-used'
        ? createLeastUsed()
        : createSmoothRoundRobin();
  return {
    pick: function pickProvider(candidates) {
      // Most often every candidate has a weight: no copy then.
      const weighted = candidates.every(hasWeight) ? candidates : candidates.filter(hasWeight);
      return isNonEmpty(weighted) ? strategy.pick(weighted) : candidates[0];
    },
  };
}
