/**
 * The state the per-key policy shares between every process or isolate: counters (rate-limit windows, budgets,
 * concurrency) and key records. One interface, four engines (memory, SQLite, Redis, Durable Objects).
 *
 * Counters are whole numbers (USD budgets are counted in micro-dollars by their caller). A counter lives in a
 * bucket the caller computes from its clock (`windowBucket`, `periodBucket`): the same id in a new bucket starts
 * at 0, so a window resets without anyone resetting it.
 */

/** A counter's period, in milliseconds since the epoch: it counts from `start` until `end`; `null` never ends. */
export interface Bucket {
  readonly start: number;
  readonly end: number | null;
}

/** One counter to check, and to charge when every counter of the call allows it. */
export interface CounterCheck {
  /** The counter, unique within its scope and call: e.g. `rpm`, `tpm`, `tokens/day`. */
  readonly id: string;
  readonly bucket: Bucket;
  /** Whole number >= 0. */
  readonly limit: number;
  /** Whole number >= 0 added when allowed (0 only reads: allowed while the counter is below its limit). */
  readonly cost: number;
}

/** A counter after an {@link Store.acquire}: what the `x-ratelimit-*` headers and `Retry-After` are made of. */
export interface CounterState {
  readonly id: string;
  readonly limit: number;
  /** Counted in the bucket after the call: the cost included only when the whole call was allowed. */
  readonly used: number;
  /** `max(0, limit - used)`: `x-ratelimit-remaining-*`. */
  readonly remaining: number;
  /** When the counter starts again from 0 (the bucket's end); `null`: never (a total budget). */
  readonly resetAt: number | null;
  /** Whether this counter alone had room: `used + cost <= limit` and `used < limit`, counted before the call. */
  readonly allowed: boolean;
}

export interface AcquireRequest {
  /** Whose counters (a key's name). Engines keep a scope together, so one call is one atomic step. */
  readonly scope: string;
  readonly counters: readonly CounterCheck[];
}

export interface AcquireResult {
  /** Every counter allowed: all were charged. Otherwise none was charged. */
  readonly allowed: boolean;
  /** In the request's order. */
  readonly counters: readonly CounterState[];
  /**
   * Set only by a store in fail-open mode whose engine did not answer: the call was let through uncounted,
   * and `counters` is empty.
   */
  readonly unavailable?: true;
}

/** A correction of an earlier charge: the exact amount minus the estimate (negative gives back). */
export interface CounterDelta {
  readonly id: string;
  /** The bucket the charge went to (from the acquire). A bucket that has ended takes no delta. */
  readonly bucket: Bucket;
  /** Whole number; the counter never goes below 0. */
  readonly delta: number;
}

export interface SettleRequest {
  readonly scope: string;
  readonly counters: readonly CounterDelta[];
}

/** A JSON object: a key's policy, stored as given. */
export type PolicyJson = Readonly<Record<string, unknown>>;

/** A client key as the store keeps it: never the secret, only its SHA-256. */
export interface KeyRecord {
  readonly name: string;
  /** Lower-case hex SHA-256 of the secret (64 characters). Unique. */
  readonly sha256: string;
  readonly policy: PolicyJson;
  /** Milliseconds since the epoch, stamped by the store's clock. */
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface NewKey {
  readonly name: string;
  readonly sha256: string;
  readonly policy: PolicyJson;
}

/** Every key, read at one version. */
export interface KeyList {
  readonly version: number;
  readonly keys: readonly KeyRecord[];
}

/**
 * Key records. Every change raises `version()` atomically with it, so an instance that polls the version
 * (a cheap call) and lists again when it moved sees a revocation within its polling interval.
 */
export interface KeyStore {
  /** Adds a key; `false` (nothing changed) when its name or its hash is already taken. */
  create(key: NewKey): Promise<boolean>;
  get(name: string): Promise<KeyRecord | undefined>;
  list(): Promise<KeyList>;
  /** Replaces a key's policy; `undefined` when there is no such key. */
  setPolicy(name: string, policy: PolicyJson): Promise<KeyRecord | undefined>;
  /** Revokes a key (once: revoking again keeps the first time); `undefined` when there is no such key. */
  revoke(name: string): Promise<KeyRecord | undefined>;
  /** Grows with every change; starts at 0. */
  version(): Promise<number>;
}

/**
 * The shared state. Every call is atomic (no read-modify-write across calls) and has a deadline: an engine
 * that does not answer in time rejects with a {@link StoreUnavailableError}.
 *
 * @example
 * const store = createMemoryStore({ clock: Date.now });
 * const now = Date.now();
 * const answer = await store.acquire({
 *   scope: 'alice',
 *   counters: [
 *     { id: 'rpm', bucket: windowBucket(now, 60_000), limit: 10, cost: 1 },
 *     { id: 'tpm', bucket: windowBucket(now, 60_000), limit: 10_000, cost: 900 },
 *   ],
 * });
 * if (!answer.allowed) retryAfterMs(answer, now); // for Retry-After
 * // when the answer ends, with the exact usage (700 tokens):
 * await store.settle({ scope: 'alice', counters: [{ id: 'tpm', bucket: windowBucket(now, 60_000), delta: -200 }] });
 */
export interface Store {
  /** Which engine: `memory`, `sqlite`, `redis` or `durable-object`. */
  readonly engine: string;
  /** Checks every counter; charges all of them when all allow, none otherwise. One round trip. */
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  /** Applies corrections to earlier charges. One round trip. */
  settle(request: SettleRequest): Promise<void>;
  readonly keys: KeyStore;
  /** Releases connections and files; the store is unusable after. */
  close(): Promise<void>;
}
