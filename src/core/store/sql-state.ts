import { acquireResult, checkAcquire, checkSettle } from './counter-states.js';
import type {
  AcquireRequest,
  AcquireResult,
  KeyList,
  KeyRecord,
  NewKey,
  PolicyJson,
  SettleRequest,
} from './store.js';

export type SqlValue = string | number | null;
export type SqlRow = Readonly<Record<string, SqlValue>>;

/** The little a SQLite connection must offer: node-sqlite3-wasm's file and a Durable Object's storage both do. */
export interface SqlDatabase {
  all(sql: string, params: readonly SqlValue[]): SqlRow[];
  run(sql: string, params: readonly SqlValue[]): void;
  /** Runs `body` as one write transaction (all or nothing, no other writer in between). */
  transaction<T>(body: () => T): T;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS gateway_counters (scope TEXT NOT NULL, id TEXT NOT NULL, start INTEGER NOT NULL,
     end_at INTEGER, used INTEGER NOT NULL, PRIMARY KEY (scope, id, start)) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS gateway_counters_end ON gateway_counters (end_at)',
  `CREATE TABLE IF NOT EXISTS gateway_keys (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE,
     policy TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)`,
  'CREATE TABLE IF NOT EXISTS gateway_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)',
  `INSERT OR IGNORE INTO gateway_meta (name, value) VALUES ('keys_version', 0)`,
];

const SWEEP_EVERY_MS = 60_000;

/** The store's logic over one SQLite database, every operation one transaction; `now` comes from the caller. */
export interface SqlState {
  acquire(request: AcquireRequest, now: number): AcquireResult;
  settle(request: SettleRequest, now: number): void;
  createKey(key: NewKey, now: number): boolean;
  getKey(name: string): KeyRecord | undefined;
  listKeys(): KeyList;
  setPolicy(name: string, policy: PolicyJson): KeyRecord | undefined;
  revokeKey(name: string, now: number): KeyRecord | undefined;
  keysVersion(): number;
}

/**
 * The SQL engine shared by SQLite on Node and the Durable Object: creates its tables if missing, then answers
 * every call in one transaction, so concurrent connections to one file (or calls to one object) never race.
 *
 * @example
 * const state = createSqlState(database);
 * state.acquire({ scope: 'alice', counters: [...] }, Date.now());
 */
export function createSqlState(db: SqlDatabase): SqlState {
  db.transaction(() => {
    for (const statement of SCHEMA) db.run(statement, []);
  });
  let lastSweep = 0;

  const usedOf = (scope: string, id: string, start: number): number => {
    const row = db.all('SELECT used FROM gateway_counters WHERE scope = ? AND id = ? AND start = ?', [
      scope,
      id,
      start,
    ])[0];
    return row === undefined ? 0 : Number(row.used);
  };
  const add = (scope: string, id: string, start: number, end: number | null, amount: number) => {
    db.run(
      `INSERT INTO gateway_counters (scope, id, start, end_at, used) VALUES (?, ?, ?, ?, max(0, ?))
       ON CONFLICT (scope, id, start) DO UPDATE SET used = max(0, used + ?)`,
      [scope, id, start, end, amount, amount],
    );
  };
  const getKey = (name: string) => toRecord(db.all('SELECT * FROM gateway_keys WHERE name = ?', [name])[0]);
  const bumpVersion = () =>
    db.run(`UPDATE gateway_meta SET value = value + 1 WHERE name = 'keys_version'`, []);
  const keysVersion = () =>
    Number(db.all(`SELECT value FROM gateway_meta WHERE name = 'keys_version'`, [])[0]?.value ?? 0);

  return {
    acquire(request, now) {
      checkAcquire(request);
      return db.transaction(() => {
        if (now - lastSweep >= SWEEP_EVERY_MS) {
          lastSweep = now;
          db.run('DELETE FROM gateway_counters WHERE end_at IS NOT NULL AND end_at <= ?', [now]);
        }
        const before = request.counters.map((check) => usedOf(request.scope, check.id, check.bucket.start));
        const result = acquireResult(request, before);
        if (result.allowed) {
          for (const check of request.counters) {
            if (check.cost > 0)
              add(request.scope, check.id, check.bucket.start, check.bucket.end, check.cost);
          }
        }
        return result;
      });
    },
    settle(request, now) {
      checkSettle(request);
      db.transaction(() => {
        for (const { id, bucket, delta } of request.counters) {
          if (delta === 0 || (bucket.end !== null && bucket.end <= now)) continue;
          // A give-back to a counter that is gone (swept) adds nothing: the insert's max(0, …) makes it 0.
          add(request.scope, id, bucket.start, bucket.end, delta);
        }
      });
    },
    createKey(key, now) {
      return db.transaction(() => {
        const taken = db.all('SELECT 1 AS taken FROM gateway_keys WHERE name = ? OR sha256 = ?', [
          key.name,
          key.sha256,
        ]);
        if (taken.length > 0) return false;
        db.run(
          'INSERT INTO gateway_keys (name, sha256, policy, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)',
          [key.name, key.sha256, JSON.stringify(key.policy), now],
        );
        bumpVersion();
        return true;
      });
    },
    getKey,
    listKeys() {
      return db.transaction(() => ({
        version: keysVersion(),
        keys: db
          .all('SELECT * FROM gateway_keys ORDER BY created_at, name', [])
          .map((row) => toRecord(row) as KeyRecord),
      }));
    },
    setPolicy(name, policy) {
      return db.transaction(() => {
        if (getKey(name) === undefined) return undefined;
        db.run('UPDATE gateway_keys SET policy = ? WHERE name = ?', [JSON.stringify(policy), name]);
        bumpVersion();
        return getKey(name);
      });
    },
    revokeKey(name, now) {
      return db.transaction(() => {
        const record = getKey(name);
        if (record === undefined || record.revokedAt !== null) return record;
        db.run('UPDATE gateway_keys SET revoked_at = ? WHERE name = ?', [now, name]);
        bumpVersion();
        return getKey(name);
      });
    },
    keysVersion,
  };
}

function toRecord(row: SqlRow | undefined): KeyRecord | undefined {
  if (row === undefined) return undefined;
  return {
    name: String(row.name),
    sha256: String(row.sha256),
    policy: JSON.parse(String(row.policy)) as PolicyJson,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}
