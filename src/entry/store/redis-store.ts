import { createHash } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import type { Bucket, KeyRecord, PolicyJson, Store } from '../../core/store/index.js';
import { acquireResult, checkAcquire, checkSettle } from '../../core/store/index.js';
import { ACQUIRE, CREATE_KEY, READ_KEYS, REVOKE_KEY, SET_POLICY, SETTLE } from './redis-scripts.js';

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  readonly url: string;
  readonly clock: () => number;
  /** The deadline of every command, and of connecting. */
  readonly timeoutMs: number;
  /** Told when the connection fails (it reconnects by itself); never given the URL. */
  readonly onError?: (error: Error) => void;
}

/** The key records' hashes, under one hash tag so that a Redis Cluster keeps them in one slot. */
const KEY_SPACE = ['meta', 'policies', 'revoked', 'hashes', 'version'].map((part) => `{gw:keys}:${part}`);
/** A counter lives a little past its bucket's end, for instances whose clocks run late. */
const EXPIRY_GRACE_MS = 60_000;
const RECONNECT_MAX_DELAY_MS = 1_000;

interface Script {
  readonly source: string;
  readonly sha: string;
}
const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = {
  acquire: script(ACQUIRE),
  settle: script(SETTLE),
  createKey: script(CREATE_KEY),
  setPolicy: script(SET_POLICY),
  revokeKey: script(REVOKE_KEY),
  readKeys: script(READ_KEYS),
};

/**
 * Redis on Node (`REDIS_URL`), through ioredis: every process and host on one Redis shares one set of counters
 * and keys. Each call is one Lua script (atomic in Redis) with a deadline (`commandTimeout`); while Redis is
 * unreachable calls fail at once (no offline queue) and the client reconnects in the background, so calls
 * work again as soon as Redis is back.
 *
 * @example
 * const store = await openRedisStore({ url: 'redis://127.0.0.1:6379', clock: Date.now, timeoutMs: 500 });
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<Store> {
  const { clock, timeoutMs } = options;
  // Loaded only when REDIS_URL is set.
  // CommonJS: Node's ES module loader gives module.exports as the default.
  const { Redis } = (await import('ioredis')).default;
  const client: RedisClient = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, RECONNECT_MAX_DELAY_MS),
  });
  client.on('error', (error: Error) => options.onError?.(error));
  // Not fatal: a Redis that is down at start is reconnected to, and calls fail (open or closed) until then.
  await client.connect().catch(() => undefined);

  const run = async (which: Script, keys: readonly string[], args: readonly (string | number)[]) => {
    try {
      return await client.evalsha(which.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // A Redis that restarted has forgotten its scripts.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(which.source, keys.length, ...keys, ...args);
    }
  };
  const counterKey = (scope: string, id: string, bucket: Bucket) =>
    `gw:{${encodeURIComponent(scope)}}:c:${encodeURIComponent(id)}:${bucket.start}`;
  // Relative to the gateway's clock: a Redis whose clock is off still keeps a counter for its bucket's life.
  const ttl = (bucket: Bucket, now: number) =>
    bucket.end === null ? -1 : Math.max(1, bucket.end - now + EXPIRY_GRACE_MS);
  const readKeys = async (name: string) => {
    const answer = (await run(SCRIPTS.readKeys, KEY_SPACE, [name])) as (string | number)[];
    const keys: KeyRecord[] = [];
    for (let index = 1; index + 3 < answer.length; index += 4) {
      keys.push(toRecord(answer.slice(index, index + 4) as string[]));
    }
    return { version: Number(answer[0]), keys };
  };
  const change = async (which: Script, args: readonly (string | number)[]) => {
    const fields = (await run(which, KEY_SPACE, args)) as string[] | null;
    return fields === null ? undefined : toRecord([String(args[0]), ...fields]);
  };

  return {
    engine: 'redis',
    async acquire(request) {
      checkAcquire(request);
      const keys = request.counters.map((check) => counterKey(request.scope, check.id, check.bucket));
      const now = clock();
      const args = request.counters.flatMap((check) => [check.limit, check.cost, ttl(check.bucket, now)]);
      const answer = (await run(SCRIPTS.acquire, keys, args)) as number[];
      return acquireResult(request, answer.slice(1));
    },
    async settle(request) {
      checkSettle(request);
      const keys = request.counters.map((delta) => counterKey(request.scope, delta.id, delta.bucket));
      const now = clock();
      const args = request.counters.flatMap((delta) => [
        delta.delta,
        delta.bucket.end ?? -1,
        ttl(delta.bucket, now),
      ]);
      await run(SCRIPTS.settle, keys, [now, ...args]);
    },
    keys: {
      create: async (key) => {
        const meta = JSON.stringify({ sha256: key.sha256, createdAt: clock() });
        const args = [key.name, key.sha256, meta, JSON.stringify(key.policy)];
        return (await run(SCRIPTS.createKey, KEY_SPACE, args)) === 1;
      },
      get: async (name) => (name === '' ? undefined : (await readKeys(name)).keys[0]),
      list: () => readKeys(''),
      setPolicy: (name, policy) => change(SCRIPTS.setPolicy, [name, JSON.stringify(policy)]),
      revoke: (name) => change(SCRIPTS.revokeKey, [name, clock()]),
      version: async () => Number((await client.get(KEY_SPACE[4] as string)) ?? 0),
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** `[name, meta JSON, policy JSON, revoked time or '']` as the scripts return them. */
function toRecord([name, meta, policy, revoked]: readonly string[]): KeyRecord {
  const { sha256, createdAt } = JSON.parse(meta as string) as { sha256: string; createdAt: number };
  return {
    name: name as string,
    sha256,
    policy: JSON.parse(policy as string) as PolicyJson,
    createdAt,
    revokedAt: revoked === '' || revoked === undefined ? null : Number(revoked),
  };
}
