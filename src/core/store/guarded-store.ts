import { StoreUnavailableError } from '../errors/gateway-error.js';
import type { StartTimer } from '../resilience/start-timer.js';
import type { AcquireResult, KeyStore, Store } from './store.js';

/** What a limited request gets when the store does not answer: refused (`closed`) or let through (`open`). */
export type StoreFailMode = 'open' | 'closed';

export interface GuardOptions {
  /** The deadline of every call. */
  readonly timeoutMs: number;
  readonly failMode: StoreFailMode;
  readonly startTimer: StartTimer;
}

const LET_THROUGH: AcquireResult = Object.freeze({ allowed: true, counters: [], unavailable: true });

/**
 * Puts a deadline on every call of a networked engine (Redis, a Durable Object) and turns its failures into a
 * {@link StoreUnavailableError} (503, code `store_unavailable`): never a hang, never an address in a message.
 * In `open` mode an acquire that fails is let through uncounted (`unavailable: true`); every other call
 * rejects either way. A call cut by its deadline may still be applied by the engine afterwards.
 *
 * @example
 * const store = guardStore(redisStore, { timeoutMs: 500, failMode: 'closed', startTimer: runtimeTimer });
 */
export function guardStore(store: Store, options: GuardOptions): Store {
  const { timeoutMs, failMode, startTimer } = options;
  const what = `The ${store.engine} state store`;

  const guard = <T>(call: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = startTimer(timeoutMs, () =>
        reject(new StoreUnavailableError(`${what} did not answer within ${timeoutMs} ms.`)),
      );
      let pending: Promise<T>;
      try {
        pending = call();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          timer.cancel();
          resolve(value);
        },
        (error: unknown) => {
          timer.cancel();
          // A malformed call is the caller's bug, not the engine's failure.
          if (error instanceof RangeError || error instanceof StoreUnavailableError) reject(error);
          else reject(new StoreUnavailableError(`${what} failed.`, { cause: error }));
        },
      );
    });

  const keys: KeyStore = {
    create: (key) => guard(() => store.keys.create(key)),
    get: (name) => guard(() => store.keys.get(name)),
    list: () => guard(() => store.keys.list()),
    setPolicy: (name, policy) => guard(() => store.keys.setPolicy(name, policy)),
    revoke: (name) => guard(() => store.keys.revoke(name)),
    version: () => guard(() => store.keys.version()),
  };

  return {
    engine: store.engine,
    acquire:
      failMode === 'open'
        ? (request) =>
            guard(() => store.acquire(request)).catch((error: unknown) => {
              if (error instanceof StoreUnavailableError) return LET_THROUGH;
              throw error;
            })
        : (request) => guard(() => store.acquire(request)),
    settle: (request) => guard(() => store.settle(request)),
    keys,
    close: () => store.close(),
  };
}
