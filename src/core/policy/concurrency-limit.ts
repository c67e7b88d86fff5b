/**
 * How many slots each client key holds right now, against a limit given per call: the gateway's default
 * today, a key's own policy later. Keys live in memory only (a Map), never in a log or an answer; a key with
 * no slot held has no entry.
 */
export interface ConcurrencyLimit {
  /** Takes a slot for `key` when it holds fewer than `limit` (0: no limit): true; else false, nothing taken. */
  acquire(key: string, limit: number): boolean;
  /** Gives back a slot `acquire` gave. Call it exactly once per slot. */
  release(key: string): void;
  /** Slots `key` holds (for tests and stats). */
  held(key: string): number;
  /** Keys holding at least one slot. */
  readonly size: number;
}

/**
 * A {@link ConcurrencyLimit}: one Map lookup to take a slot, one to give it back.
 *
 * @example
 * const streams = createConcurrencyLimit();
 * if (!streams.acquire(key, 512)) throw new RateLimitError('Too many open streams.', { retryAfterSeconds: 1 });
 * body.done.finally(() => streams.release(key));
 */
export function createConcurrencyLimit(): ConcurrencyLimit {
  return new KeyCounts();
}

class KeyCounts implements ConcurrencyLimit {
  readonly #counts = new Map<string, number>();

  acquire(key: string, limit: number): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (limit > 0 && count >= limit) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  release(key: string): void {
    const count = this.#counts.get(key);
    if (count === undefined) return;
    if (count <= 1) this.#counts.delete(key);
    else this.#counts.set(key, count - 1);
  }

  held(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  get size(): number {
    return this.#counts.size;
  }
}
