import type { Config } from '../../core/config/index.js';
import { ConfigError } from '../../core/errors/gateway-error.js';
import type { StartTimer } from '../../core/resilience/start-timer.js';
import { runtimeTimer } from '../../core/resilience/start-timer.js';
import { createMemoryStore, guardStore, type Store } from '../../core/store/index.js';

export interface OpenStoreOptions {
  readonly config: Pick<Config, 'store' | 'storeFailMode' | 'storeTimeoutMs'>;
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly clock?: () => number;
  readonly startTimer?: StartTimer;
  /** Told when Redis' connection fails (it reconnects by itself). */
  readonly onError?: (error: Error) => void;
}

/**
 * The Node engine choice: Redis for `REDIS_URL`, SQLite for `GATEWAY_DB`, else memory. Redis' and SQLite's
 * clients are imported only when configured, so a gateway without them loads neither. Networked and file
 * engines get the deadline and the fail mode (`guardStore`); a SQLite file that cannot be opened is a
 * configuration error naming GATEWAY_DB.
 *
 * @example
 * const store = await openStore({ config: loadNodeConfig(process.env) });
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { config } = options;
  const clock = options.clock ?? Date.now;
  const guard = {
    timeoutMs: config.storeTimeoutMs,
    failMode: config.storeFailMode,
    startTimer: options.startTimer ?? runtimeTimer,
  };
  const { store: where } = config;
  if (where.engine === 'memory') return createMemoryStore({ clock });
  if (where.engine === 'redis') {
    const { openRedisStore } = await import('./redis-store.js');
    const store = await openRedisStore({
      url: where.url,
      clock,
      timeoutMs: config.storeTimeoutMs,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    return guardStore(store, guard);
  }
  const { openSqliteStore } = await import('./sqlite-store.js');
  try {
    return guardStore(await openSqliteStore({ path: where.path, clock }), guard);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'it failed';
    throw new ConfigError(`Invalid configuration: GATEWAY_DB: cannot open ${where.path} (${reason})`);
  }
}
