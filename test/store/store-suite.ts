import { describe, expect, it } from 'vitest';
import {
  type AcquireRequest,
  periodBucket,
  retryAfterMs,
  type Store,
  windowBucket,
} from '../../src/core/store/index.js';

/** One engine's state, which several store clients (connections, processes) can open. */
export interface StoreBacking {
  /** A new client of the same state, reading time from `clock`. */
  open(clock: () => number): Promise<Store>;
}

export interface SuiteOptions {
  /** Whether two clients opened from one backing share their state (every engine but memory). */
  readonly shared: boolean;
}

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-10T12:00:05Z');
let unique = 0;
/** Names no other test (or earlier run on a kept backing) uses. */
const fresh = (what: string) => `${what}-${Date.now().toString(36)}-${(unique++).toString(36)}`;
const sha = (seed: string) =>
  seed
    .padEnd(64, '0')
    .slice(0, 64)
    .replace(/[^0-9a-f]/g, 'a');

/**
 * The behaviour every engine must have, run against each real engine by its own test file: one suite, so the
 * engines cannot drift apart.
 */
export function describeStore(name: string, backing: () => StoreBacking, options: SuiteOptions): void {
  describe(`the ${name} store`, () => {
    const open = async (now = T0) => {
      const clock = { now };
      const store = await backing().open(() => clock.now);
      return { store, clock };
    };
    const rpm = (now: number, limit: number, cost = 1) => ({
      id: 'rpm',
      bucket: windowBucket(now, MINUTE),
      limit,
      cost,
    });

    it('lets calls through up to the limit, then refuses without charging, with what headers need', async () => {
      const { store } = await open();
      const scope = fresh('alice');
      const bucket = windowBucket(T0, MINUTE);
      for (let index = 1; index <= 3; index++) {
        const answer = await store.acquire({ scope, counters: [rpm(T0, 3)] });
        expect(answer).toEqual({
          allowed: true,
          counters: [
            { id: 'rpm', limit: 3, used: index, remaining: 3 - index, resetAt: bucket.end, allowed: true },
          ],
        });
      }
      const refused = await store.acquire({ scope, counters: [rpm(T0, 3)] });
      expect(refused.allowed).toBe(false);
      expect(refused.counters[0]).toMatchObject({ used: 3, remaining: 0, allowed: false });
      expect(retryAfterMs(refused, T0)).toBe(55_000);
      await store.close();
    });

    it('charges all counters of a call or none', async () => {
      const { store } = await open();
      const scope = fresh('bob');
      const tpm = (cost: number) => ({ id: 'tpm', bucket: windowBucket(T0, MINUTE), limit: 1000, cost });
      expect((await store.acquire({ scope, counters: [rpm(T0, 10), tpm(900)] })).allowed).toBe(true);
      const refused = await store.acquire({ scope, counters: [rpm(T0, 10), tpm(200)] });
      expect(refused.allowed).toBe(false);
      expect(refused.counters.map((state) => [state.id, state.used, state.allowed])).toEqual([
        ['rpm', 1, true],
        ['tpm', 900, false],
      ]);
      // A smaller estimate fits, and the rpm counter was not charged by the refused call.
      const next = await store.acquire({ scope, counters: [rpm(T0, 10), tpm(100)] });
      expect(next.counters.map((state) => state.used)).toEqual([2, 1000]);
      await store.close();
    });

    it('reads with a cost of 0: allowed only below the limit, nothing charged', async () => {
      const { store } = await open();
      const scope = fresh('reader');
      const budget = { id: 'usd/day', bucket: periodBucket(T0, 'day'), limit: 5, cost: 0 };
      expect(await store.acquire({ scope, counters: [budget] })).toMatchObject({
        allowed: true,
        counters: [{ used: 0, remaining: 5 }],
      });
      await store.settle({ scope, counters: [{ id: 'usd/day', bucket: budget.bucket, delta: 5 }] });
      const spent = await store.acquire({ scope, counters: [budget] });
      expect(spent).toMatchObject({ allowed: false, counters: [{ used: 5, remaining: 0, allowed: false }] });
      expect(retryAfterMs(spent, T0)).toBe((budget.bucket.end as number) - T0);
      await store.close();
    });

    it('starts a new window from 0, and a total budget never resets', async () => {
      const { store, clock } = await open();
      const scope = fresh('carol');
      const total = (cost: number) => ({
        id: 'tokens/total',
        bucket: periodBucket(T0, 'total'),
        limit: 3,
        cost,
      });
      expect((await store.acquire({ scope, counters: [rpm(T0, 2, 2), total(2)] })).allowed).toBe(true);
      const later = T0 + MINUTE;
      clock.now = later;
      const answer = await store.acquire({ scope, counters: [rpm(later, 2, 1), total(2)] });
      expect(answer.allowed).toBe(false);
      expect(answer.counters).toEqual([
        {
          id: 'rpm',
          limit: 2,
          used: 0,
          remaining: 2,
          resetAt: windowBucket(later, MINUTE).end,
          allowed: true,
        },
        { id: 'tokens/total', limit: 3, used: 2, remaining: 1, resetAt: null, allowed: false },
      ]);
      expect(retryAfterMs(answer, later)).toBeUndefined();
      expect((await store.acquire({ scope, counters: [rpm(later, 2, 1), total(1)] })).allowed).toBe(true);
      await store.close();
    });

    it('settles an estimate with the exact amount, never below 0, and not into a window that ended', async () => {
      const { store, clock } = await open();
      const scope = fresh('dave');
      const bucket = windowBucket(T0, MINUTE);
      const tpm = (cost: number) => ({ id: 'tpm', bucket, limit: 1000, cost });
      await store.acquire({ scope, counters: [tpm(800)] });
      await store.settle({ scope, counters: [{ id: 'tpm', bucket, delta: -500 }] });
      expect((await store.acquire({ scope, counters: [tpm(0)] })).counters[0]?.used).toBe(300);
      await store.settle({ scope, counters: [{ id: 'tpm', bucket, delta: 900 }] });
      expect((await store.acquire({ scope, counters: [tpm(0)] })).counters[0]).toMatchObject({
        used: 1200,
        remaining: 0,
        allowed: false,
      });
      await store.settle({ scope, counters: [{ id: 'tpm', bucket, delta: -5000 }] });
      expect((await store.acquire({ scope, counters: [tpm(0)] })).counters[0]?.used).toBe(0);
      // A positive delta for a counter never charged creates it; a negative one does nothing.
      const other = { id: 'other', bucket, limit: 10, cost: 0 };
      await store.settle({
        scope,
        counters: [
          { id: 'other', bucket, delta: 4 },
          { id: 'gone', bucket, delta: -3 },
        ],
      });
      expect((await store.acquire({ scope, counters: [other] })).counters[0]?.used).toBe(4);
      clock.now = bucket.end as number;
      await store.settle({ scope, counters: [{ id: 'other', bucket, delta: 5 }] });
      clock.now = T0;
      expect((await store.acquire({ scope, counters: [other] })).counters[0]?.used).toBe(4);
      await store.close();
    });

    it('keeps scopes apart', async () => {
      const { store } = await open();
      const [first, second] = [fresh('eve'), fresh('frank')];
      expect((await store.acquire({ scope: first, counters: [rpm(T0, 1)] })).allowed).toBe(true);
      expect((await store.acquire({ scope: first, counters: [rpm(T0, 1)] })).allowed).toBe(false);
      expect((await store.acquire({ scope: second, counters: [rpm(T0, 1)] })).allowed).toBe(true);
      await store.close();
    });

    it('lets exactly 10 of 50 simultaneous calls through a limit of 10', async () => {
      const { store } = await open();
      const scope = fresh('crowd');
      const request: AcquireRequest = { scope, counters: [rpm(T0, 10)] };
      const answers = await Promise.all(Array.from({ length: 50 }, () => store.acquire(request)));
      expect(answers.filter((answer) => answer.allowed)).toHaveLength(10);
      expect((await store.acquire({ scope, counters: [rpm(T0, 10, 0)] })).counters[0]?.used).toBe(10);
      await store.close();
    });

    // Memory is one process's own: nothing to share, so no test (rather than a skipped one).
    if (options.shared)
      it('shares counts and keys between two clients of one state', async () => {
        const [first, second] = [await open(), await open()];
        const scope = fresh('shared');
        const request: AcquireRequest = { scope, counters: [rpm(T0, 10)] };
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? first : second).store.acquire(request)),
        );
        expect(answers.filter((answer) => answer.allowed)).toHaveLength(10);
        expect((await second.store.acquire({ scope, counters: [rpm(T0, 10, 0)] })).counters[0]?.used).toBe(
          10,
        );

        const name = fresh('key');
        const before = await second.store.keys.version();
        expect(await first.store.keys.create({ name, sha256: sha(name), policy: { rpm: 10 } })).toBe(true);
        await first.store.keys.revoke(name);
        expect(await second.store.keys.version()).toBe(before + 2);
        expect((await second.store.keys.get(name))?.revokedAt).toBe(T0);
        await first.store.close();
        await second.store.close();
      });

    it('keeps key records: create once, change the policy, revoke once, a version that follows every change', async () => {
      const { store, clock } = await open();
      const name = fresh('key');
      const hash = sha(`${name}abc`);
      const start = await store.keys.version();
      expect(await store.keys.create({ name, sha256: hash, policy: { models: ['gpt-*'], rpm: 5 } })).toBe(
        true,
      );
      expect(await store.keys.create({ name, sha256: sha('f00'), policy: {} })).toBe(false);
      expect(await store.keys.create({ name: fresh('other'), sha256: hash, policy: {} })).toBe(false);
      expect(await store.keys.version()).toBe(start + 1);
      const record = {
        name,
        sha256: hash,
        policy: { models: ['gpt-*'], rpm: 5 },
        createdAt: T0,
        revokedAt: null,
      };
      expect(await store.keys.get(name)).toEqual(record);
      const listed = await store.keys.list();
      expect(listed.version).toBe(start + 1);
      expect(listed.keys).toContainEqual(record);

      clock.now = T0 + 1000;
      expect(await store.keys.setPolicy(name, { rpm: 7 })).toEqual({ ...record, policy: { rpm: 7 } });
      expect(await store.keys.revoke(name)).toEqual({ ...record, policy: { rpm: 7 }, revokedAt: T0 + 1000 });
      clock.now = T0 + 2000;
      expect((await store.keys.revoke(name))?.revokedAt).toBe(T0 + 1000);
      expect(await store.keys.version()).toBe(start + 3);

      const missing = fresh('missing');
      expect(await store.keys.get(missing)).toBeUndefined();
      expect(await store.keys.setPolicy(missing, {})).toBeUndefined();
      expect(await store.keys.revoke(missing)).toBeUndefined();
      expect(await store.keys.version()).toBe(start + 3);
      await store.close();
    });

    it('refuses a malformed call (a caller bug) without touching the state', async () => {
      const { store } = await open();
      const scope = fresh('bad');
      await expect(store.acquire({ scope, counters: [rpm(T0, 10), rpm(T0, 10)] })).rejects.toThrow(
        RangeError,
      );
      await expect(store.acquire({ scope, counters: [rpm(T0, 10, -1)] })).rejects.toThrow(RangeError);
      await expect(store.acquire({ scope, counters: [rpm(T0, 1.5)] })).rejects.toThrow(RangeError);
      await expect(
        store.settle({ scope, counters: [{ id: 'rpm', bucket: windowBucket(T0, MINUTE), delta: 0.5 }] }),
      ).rejects.toThrow(RangeError);
      expect((await store.acquire({ scope, counters: [rpm(T0, 10, 0)] })).counters[0]?.used).toBe(0);
      await store.close();
    });
  });
}
