import { acquireResult, checkAcquire, checkSettle } from './counter-states.js';
import type {
  AcquireRequest,
  KeyRecord,
  KeyStore,
  NewKey,
  PolicyJson,
  SettleRequest,
  Store,
} from './store.js';

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch: stamps key records and drops ended buckets. */
  readonly clock: () => number;
}

interface Slot {
  used: number;
  readonly end: number | null;
}

/** How often ended buckets are dropped (at most): memory stays bounded by the buckets of the last minute. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The default engine: this process's memory. Exact and free, but each process (each Worker isolate) counts
 * alone, and nothing survives a restart.
 *
 * @example
 * const store = createMemoryStore({ clock: Date.now });
 */
export function createMemoryStore(options: MemoryStoreOptions): Store {
  const { clock } = options;
  const counters = new Map<string, Slot>();
  let lastSweep = clock();

  const sweep = (now: number) => {
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    for (const [name, slot] of counters) if (slot.end !== null && slot.end <= now) counters.delete(name);
  };
  const slotName = (scope: string, id: string, start: number) => `${scope}\u0000${id}\u0000${start}`;

  // async: a malformed call rejects, as with every engine, rather than throwing.
  const acquire = async (request: AcquireRequest) => {
    checkAcquire(request);
    sweep(clock());
    const names = request.counters.map((check) => slotName(request.scope, check.id, check.bucket.start));
    const before = names.map((name) => counters.get(name)?.used ?? 0);
    const result = acquireResult(request, before);
    if (result.allowed) {
      request.counters.forEach((check, index) => {
        if (check.cost === 0) return;
        const name = names[index] as string;
        const slot = counters.get(name);
        if (slot === undefined) counters.set(name, { used: check.cost, end: check.bucket.end });
        else slot.used += check.cost;
      });
    }
    return result;
  };

  const settle = async (request: SettleRequest) => {
    checkSettle(request);
    const now = clock();
    for (const { id, bucket, delta } of request.counters) {
      if (delta === 0 || (bucket.end !== null && bucket.end <= now)) continue;
      const name = slotName(request.scope, id, bucket.start);
      const slot = counters.get(name);
      if (slot !== undefined) slot.used = Math.max(0, slot.used + delta);
      else if (delta > 0) counters.set(name, { used: delta, end: bucket.end });
    }
  };

  return { engine: 'memory', acquire, settle, keys: memoryKeys(clock), close: () => Promise.resolve() };
}

function memoryKeys(clock: () => number): KeyStore {
  const records = new Map<string, KeyRecord>();
  const hashes = new Set<string>();
  let version = 0;

  const change = (name: string, update: (record: KeyRecord) => KeyRecord) => {
    const record = records.get(name);
    if (record === undefined) return Promise.resolve(undefined);
    const next = update(record);
    if (next !== record) {
      records.set(name, next);
      version++;
    }
    return Promise.resolve(next);
  };

  return {
    create(key: NewKey) {
      if (records.has(key.name) || hashes.has(key.sha256)) return Promise.resolve(false);
      records.set(key.name, { ...key, policy: copy(key.policy), createdAt: clock(), revokedAt: null });
      hashes.add(key.sha256);
      version++;
      return Promise.resolve(true);
    },
    get: (name) => Promise.resolve(records.get(name)),
    list: () => Promise.resolve({ version, keys: [...records.values()] }),
    setPolicy: (name, policy: PolicyJson) => change(name, (record) => ({ ...record, policy: copy(policy) })),
    revoke: (name) =>
      change(name, (record) => (record.revokedAt === null ? { ...record, revokedAt: clock() } : record)),
    version: () => Promise.resolve(version),
  };
}

/** Policies are kept as JSON, as the other engines keep them: a caller's later change does not reach the store. */
const copy = (policy: PolicyJson): PolicyJson => JSON.parse(JSON.stringify(policy)) as PolicyJson;
