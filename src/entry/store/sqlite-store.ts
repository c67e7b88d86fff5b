import type { SQLiteValue, Database as SqliteDatabase } from 'node-sqlite3-wasm';
import { StoreUnavailableError } from '../../core/errors/gateway-error.js';
import { createSqlState, type SqlDatabase, type SqlRow, type Store } from '../../core/store/index.js';

export interface SqliteStoreOptions {
  /** The database file (created with its tables when missing). */
  readonly path: string;
  readonly clock: () => number;
}

/** How long a call waits for another connection's write to finish before failing. */
const BUSY_TIMEOUT_MS = 2_000;

/**
 * SQLite on Node (`GATEWAY_DB`), through node-sqlite3-wasm: SQLite compiled to WebAssembly reading and writing
 * the file directly (no native addon to build). Counters and keys survive a restart; every call is one
 * transaction. One gateway process per file (two connections in one process share it; its file lock refuses a
 * second process rather than waiting): use Redis to share limits between processes or hosts.
 *
 * @example
 * const store = await openSqliteStore({ path: '/var/lib/gateway/state.db', clock: Date.now });
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  // Loaded only when GATEWAY_DB is set: a gateway without it never loads the WebAssembly.
  // It is CommonJS: Node's ES module loader gives its exports as the default.
  const loaded = (await import('node-sqlite3-wasm')) as SqliteModule & { default?: SqliteModule };
  const { Database } = loaded.default ?? loaded;
  const database = new Database(options.path);
  try {
    database.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const state = createSqlState(adapt(database));
    const { clock } = options;
    const call = <T>(body: () => T): Promise<T> => {
      if (!database.isOpen)
        return Promise.reject(new StoreUnavailableError('The sqlite state store is closed.'));
      try {
        return Promise.resolve(body());
      } catch (error) {
        return Promise.reject(error instanceof RangeError ? error : unavailable(error, options.path));
      }
    };
    return {
      engine: 'sqlite',
      acquire: (request) => call(() => state.acquire(request, clock())),
      settle: (request) => call(() => state.settle(request, clock())),
      keys: {
        create: (key) => call(() => state.createKey(key, clock())),
        get: (name) => call(() => state.getKey(name)),
        list: () => call(() => state.listKeys()),
        setPolicy: (name, policy) => call(() => state.setPolicy(name, policy)),
        revoke: (name) => call(() => state.revokeKey(name, clock())),
        version: () => call(() => state.keysVersion()),
      },
      close: async () => {
        if (database.isOpen) database.close();
      },
    };
  } catch (error) {
    database.close();
    throw error;
  }
}

type SqliteModule = typeof import('node-sqlite3-wasm');

/** SQLite's own message ("database is locked", "disk I/O error") says what is wrong; the path is the operator's. */
function unavailable(error: unknown, path: string): StoreUnavailableError {
  const reason = error instanceof Error ? error.message : 'failed';
  const hint = /locked/i.test(reason)
    ? ` Another process uses ${path} (one gateway process per file: share limits with REDIS_URL), or a crashed one left ${path}.lock behind: remove it when no gateway runs.`
    : '';
  return new StoreUnavailableError(`The sqlite state store failed: ${reason}.${hint}`, { cause: error });
}

function adapt(database: SqliteDatabase): SqlDatabase {
  return {
    all: (sql, params) => database.all(sql, params as SQLiteValue[]) as SqlRow[],
    run: (sql, params) => {
      database.run(sql, params as SQLiteValue[]);
    },
    transaction<T>(body: () => T): T {
      // IMMEDIATE: the write lock is taken first, so two connections never both read a count and then write it.
      database.exec('BEGIN IMMEDIATE');
      try {
        const result = body();
        database.exec('COMMIT');
        return result;
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
