export type { Balancer } from './create-balancer.js';
export { createBalancer } from './create-balancer.js';
export { createLeastUsed } from './least-used.js';
export { createSmoothRoundRobin } from './smooth-round-robin.js';
export type { Candidate, Random, Strategy } from './strategy.js';
export { createWeightedRandom } from './weighted-random.js';
