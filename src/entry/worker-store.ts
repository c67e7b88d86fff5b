import { runtimeTimer } from '../core/resilience/start-timer.js';
import {
  createDurableStore,
  createMemoryStore,
  type DurableStateNamespace,
  guardStore,
  type Store,
  type StoreFailMode,
} from '../core/store/index.js';

export interface WorkerStoreOptions {
  readonly clock: () => number;
  /** The deadline of every call to the Durable Object. */
  readonly timeoutMs: number;
  readonly failMode: StoreFailMode;
}

/**
 * The Workers engine choice: the `GATEWAY_STATE` Durable Object when it is bound (shared by every isolate),
 * else memory (this isolate's own counts).
 *
 * @example
 * const store = workerStore(env, { clock: Date.now, timeoutMs: 1000, failMode: 'closed' });
 */
export function workerStore(env: { readonly GATEWAY_STATE?: unknown }, options: WorkerStoreOptions): Store {
  const { clock, timeoutMs, failMode } = options;
  if (env.GATEWAY_STATE === undefined) return createMemoryStore({ clock });
  // The binding's RPC stub has the GatewayState class's calls (durable-state.ts implements them).
  const namespace = env.GATEWAY_STATE as DurableStateNamespace;
  return guardStore(createDurableStore({ namespace, clock }), {
    timeoutMs,
    failMode,
    startTimer: runtimeTimer,
  });
}
