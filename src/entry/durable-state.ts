import { DurableObject } from 'cloudflare:workers';
import {
  type AcquireRequest,
  createSqlState,
  type NewKey,
  type PolicyJson,
  type SettleRequest,
  type SqlRow,
  type SqlState,
} from '../core/store/index.js';

/**
 * The gateway's shared state on Workers: a SQLite-backed Durable Object (binding `GATEWAY_STATE`, class
 * `GatewayState`, migration `new_sqlite_classes` in wrangler.toml). One object per key's counters and one for
 * the key records; each answers its calls one at a time, each call one SQLite transaction, so every isolate in
 * every location sees one count. Reached through `createDurableStore`; `now` comes from the calling Worker.
 */
export class GatewayState extends DurableObject<Env> implements DurableStateCalls {
  readonly #state: SqlState;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    this.#state = createSqlState({
      all: (query, params) => sql.exec(query, ...params).toArray() as SqlRow[],
      run: (query, params) => {
        sql.exec(query, ...params).toArray();
      },
      transaction: (body) => ctx.storage.transactionSync(body),
    });
  }

  acquire(request: AcquireRequest, now: number) {
    return this.#state.acquire(request, now);
  }
  settle(request: SettleRequest, now: number) {
    this.#state.settle(request, now);
  }
  createKey(key: NewKey, now: number) {
    return this.#state.createKey(key, now);
  }
  getKey(name: string) {
    return this.#state.getKey(name);
  }
  listKeys() {
    return this.#state.listKeys();
  }
  setPolicy(name: string, policy: PolicyJson) {
    return this.#state.setPolicy(name, policy);
  }
  revokeKey(name: string, now: number) {
    return this.#state.revokeKey(name, now);
  }
  keysVersion() {
    return this.#state.keysVersion();
  }
}

/** The calls the store makes: the class must offer each of them (checked by `implements`). */
type DurableStateCalls = {
  [K in keyof SqlState]: (...args: Parameters<SqlState[K]>) => ReturnType<SqlState[K]>;
};
