import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../test/fixtures/redis-server.js';
import { describeStore } from '../../../test/store/store-suite.js';
import { StoreUnavailableError } from '../../core/errors/gateway-error.js';
import { runtimeTimer } from '../../core/resilience/start-timer.js';
import { guardStore, type Store, type StoreFailMode, windowBucket } from '../../core/store/index.js';
import { openRedisStore } from './redis-store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

describeStore(
  'redis',
  () => ({ open: (clock) => openRedisStore({ url: redis.url, clock, timeoutMs: 2_000 }) }),
  {
    shared: true,
  },
);

describe('the redis store across processes', () => {
  it('lets exactly 10 of 50 calls through a limit of 10 when two processes share one redis', async () => {
    const built = fileURLToPath(new URL('../../../dist/entry/store/redis-store.js', import.meta.url));
    expect(existsSync(built), 'run `npm run build` first (npm test does)').toBe(true);
    const now = Date.now();
    const rpm = { id: 'rpm', bucket: windowBucket(now, 60_000), limit: 10, cost: 1 };
    const request = { scope: `processes-${now}`, counters: [rpm] };
    const burst = `
      const { openRedisStore } = await import(${JSON.stringify(built)});
      const store = await openRedisStore({ url: process.argv[1], clock: Date.now, timeoutMs: 5000 });
      const request = JSON.parse(process.argv[2]);
      const answers = await Promise.all(Array.from({ length: 25 }, () => store.acquire(request)));
      await store.close();
      console.log(answers.filter((answer) => answer.allowed).length);`;
    const child = promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', burst, redis.url, JSON.stringify(request)],
      { encoding: 'utf8' },
    );
    const store = await openRedisStore({ url: redis.url, clock: Date.now, timeoutMs: 5_000 });
    const mine = await Promise.all(Array.from({ length: 25 }, () => store.acquire(request)));
    const theirs = Number((await child).stdout.trim());
    expect(mine.filter((answer) => answer.allowed).length + theirs).toBe(10);
    const read = await store.acquire({ ...request, counters: [{ ...rpm, cost: 0 }] });
    expect(read.counters[0]?.used).toBe(10);
    await store.close();
  });
});

describe('the redis store when redis fails', () => {
  const TIMEOUT_MS = 300;
  const open = async (failMode: StoreFailMode): Promise<Store> =>
    guardStore(await openRedisStore({ url: redis.url, clock: Date.now, timeoutMs: TIMEOUT_MS }), {
      timeoutMs: TIMEOUT_MS * 2,
      failMode,
      startTimer: runtimeTimer,
    });
  const request = (scope: string) => ({
    scope,
    counters: [{ id: 'rpm', bucket: windowBucket(Date.now(), 60_000), limit: 100, cost: 1 }],
  });
  /** Runs `call`, checking it settled within the deadline and a generous second. */
  const timed = async <T>(call: () => Promise<T>): Promise<PromiseSettledResult<T>> => {
    const started = Date.now();
    const [outcome] = await Promise.allSettled([call()]);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 2 + 1_000);
    return outcome as PromiseSettledResult<T>;
  };

  it('answers within the deadline when redis is stopped mid-run (closed: 503, open: let through), and recovers', async () => {
    const closed = await open('closed');
    const lenient = await open('open');
    expect((await closed.acquire(request('mid-run'))).allowed).toBe(true);
    expect((await lenient.acquire(request('mid-run'))).counters[0]?.used).toBe(2);

    await redis.stop();
    const refused = await timed(() => closed.acquire(request('mid-run')));
    expect(refused.status).toBe('rejected');
    const reason = (refused as PromiseRejectedResult).reason as StoreUnavailableError;
    expect(reason).toBeInstanceOf(StoreUnavailableError);
    expect(reason).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(reason.message).not.toContain(redis.url);
    const through = await timed(() => lenient.acquire(request('mid-run')));
    expect(through).toEqual({
      status: 'fulfilled',
      value: { allowed: true, counters: [], unavailable: true },
    });
    expect((await timed(() => closed.keys.version())).status).toBe('rejected');

    await redis.start();
    const deadline = Date.now() + 10_000;
    let answer: Awaited<ReturnType<Store['acquire']>> | undefined;
    while (answer === undefined && Date.now() < deadline) {
      answer = await closed.acquire(request('after')).catch(() => undefined);
      if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A new, empty redis: the count starts again.
    expect(answer).toMatchObject({ allowed: true, counters: [{ used: 1 }] });
    expect((await lenient.acquire(request('after'))).counters[0]?.used).toBe(2);
    await closed.close();
    await lenient.close();
  }, 20_000);

  it('never hangs on a redis that accepts and does not answer', async () => {
    const store = await open('closed');
    expect((await store.acquire(request('frozen'))).allowed).toBe(true);
    redis.freeze();
    try {
      const outcome = await timed(() => store.acquire(request('frozen')));
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    } finally {
      redis.resume();
    }
    await store.close();
  });

  it('starts while redis is down, failing calls until it is up', async () => {
    await redis.stop();
    const store = await open('closed');
    expect((await timed(() => store.acquire(request('late')))).status).toBe('rejected');
    await redis.start();
    const deadline = Date.now() + 10_000;
    let allowed = false;
    while (!allowed && Date.now() < deadline) {
      allowed = (await store.acquire(request('late')).catch(() => undefined))?.allowed === true;
      if (!allowed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(allowed).toBe(true);
    await store.close();
  }, 20_000);
});
