/** What a strategy sees of a provider: enough to choose, nothing to mutate. */
export interface Candidate {
  readonly id: string;
  /** > 0. Zero-weight (backup) providers are handled by the balancer, never passed to a strategy. */
  readonly weight: number;
  /** Attempts sent to this provider so far. */
  readonly requests: number;
}

/** Chooses one of a non-empty list of candidates. May keep its own state between calls. */
export interface Strategy {
  pick<C extends Candidate>(candidates: readonly [C, ...C[]]): C;
}

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type Random = () => number;
