import type { SqlState } from './sql-state.js';
import type { Store } from './store.js';

/** A Durable Object stub of the gateway's state class, as RPC gives it: the {@link SqlState} calls, awaited. */
export type DurableStateStub = {
  readonly [K in keyof SqlState]: (...args: Parameters<SqlState[K]>) => Promise<ReturnType<SqlState[K]>>;
};

/** The `GATEWAY_STATE` binding, as far as the store needs it. */
export interface DurableStateNamespace<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): DurableStateStub;
}

export interface DurableStoreOptions<Id> {
  readonly namespace: DurableStateNamespace<Id>;
  /** Milliseconds since the epoch, sent with each call: the objects keep no clock of their own. */
  readonly clock: () => number;
}

/**
 * The Workers engine: SQLite-backed Durable Objects, one per scope (a key's counters, so one call is one
 * object's atomic step and keys do not queue behind each other) and one for the key records. Every isolate
 * in every location sees the same counts. Wrap it in `guardStore` for the deadline.
 *
 * @example
 * const store = guardStore(createDurableStore({ namespace: env.GATEWAY_STATE, clock: Date.now }), guard);
 */
export function createDurableStore<Id>(options: DurableStoreOptions<Id>): Store {
  const { namespace, clock } = options;
  const object = (name: string) => namespace.get(namespace.idFromName(name));
  const keysObject = () => object('keys');

  return {
    engine: 'durable-object',
    acquire: (request) => object(`scope:${request.scope}`).acquire(request, clock()),
    settle: (request) => object(`scope:${request.scope}`).settle(request, clock()),
    keys: {
      create: (key) => keysObject().createKey(key, clock()),
      get: (name) => keysObject().getKey(name),
      list: () => keysObject().listKeys(),
      setPolicy: (name, policy) => keysObject().setPolicy(name, policy),
      revoke: (name) => keysObject().revokeKey(name, clock()),
      version: () => keysObject().keysVersion(),
    },
    close: () => Promise.resolve(),
  };
}
