import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStore } from '../../../test/store/store-suite.js';
import { StoreUnavailableError } from '../../core/errors/gateway-error.js';
import { periodBucket, windowBucket } from '../../core/store/index.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gateway-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStore(
  'sqlite',
  () => ({ open: (clock) => openSqliteStore({ path: join(dir, 'suite.db'), clock }) }),
  {
    shared: true,
  },
);

describe('the sqlite store on disk', () => {
  it('keeps counts, spent budgets and keys across a close and a reopen (a restart)', async () => {
    const path = join(dir, 'restart.db');
    const now = Date.parse('2026-05-01T08:00:00Z');
    const budget = { id: 'tokens/month', bucket: periodBucket(now, 'month'), limit: 1000, cost: 600 };
    const rpm = { id: 'rpm', bucket: windowBucket(now, 60_000), limit: 5, cost: 1 };
    const first = await openSqliteStore({ path, clock: () => now });
    expect((await first.acquire({ scope: 'alice', counters: [budget, rpm] })).allowed).toBe(true);
    await first.keys.create({ name: 'alice', sha256: 'a'.repeat(64), policy: { rpm: 5 } });
    await first.close();
    await expect(first.acquire({ scope: 'alice', counters: [rpm] })).rejects.toThrow('closed');

    const second = await openSqliteStore({ path, clock: () => now });
    const answer = await second.acquire({ scope: 'alice', counters: [budget, rpm] });
    expect(answer.allowed).toBe(false);
    expect(answer.counters.map((state) => state.used)).toEqual([600, 1]);
    expect(await second.keys.list()).toMatchObject({
      version: 1,
      keys: [{ name: 'alice', policy: { rpm: 5 } }],
    });
    await second.close();
  });

  it('fails a call clearly, within its busy timeout, while another process holds the file lock', async () => {
    const path = join(dir, 'locked.db');
    const store = await openSqliteStore({ path, clock: Date.now });
    const rpm = { id: 'rpm', bucket: windowBucket(Date.now(), 60_000), limit: 5, cost: 1 };
    // The WebAssembly build locks a file with a directory beside it: as another process does mid-write.
    mkdirSync(`${path}.lock`);
    const started = Date.now();
    const error = await store.acquire({ scope: 'alice', counters: [rpm] }).catch((thrown: unknown) => thrown);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(`database is locked`);
    expect((error as Error).message).toContain(`${path}.lock`);
    rmSync(`${path}.lock`, { recursive: true });
    expect((await store.acquire({ scope: 'alice', counters: [rpm] })).allowed).toBe(true);
    await store.close();
  });

  it('names the file problem when the path cannot be opened', async () => {
    await expect(
      openSqliteStore({ path: join(dir, 'no-such-dir', 'x.db'), clock: Date.now }),
    ).rejects.toThrow();
  });
});
