import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../test/fixtures/redis-server.js';
import { parseConfig } from '../../core/config/index.js';
import { ConfigError, StoreUnavailableError } from '../../core/errors/gateway-error.js';
import { windowBucket } from '../../core/store/index.js';
import { openStore } from './open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'gateway-open-store-'));
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const request = {
  scope: 'alice',
  counters: [{ id: 'rpm', bucket: windowBucket(Date.now(), 60_000), limit: 5, cost: 1 }],
};

describe('openStore', () => {
  it('picks the engine the configuration names', async () => {
    const cases = [
      [{}, 'memory'],
      [{ GATEWAY_DB: join(dir, 'pick.db') }, 'sqlite'],
      [{ REDIS_URL: redis.url }, 'redis'],
    ] as const;
    for (const [env, engine] of cases) {
      const store = await openStore({ config: parseConfig(env) });
      expect(store.engine).toBe(engine);
      expect((await store.acquire(request)).allowed).toBe(true);
      await store.close();
    }
  });

  it('names GATEWAY_DB when its file cannot be opened', async () => {
    const config = parseConfig({ GATEWAY_DB: join(dir, 'missing-dir', 'x.db') });
    const error = await openStore({ config }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^Invalid configuration: GATEWAY_DB: cannot open /);
  });

  it('applies STORE_FAIL_MODE and STORE_TIMEOUT_MS to a Redis nobody answers on', async () => {
    const down = 'redis://127.0.0.1:1';
    const env = { REDIS_URL: down, STORE_TIMEOUT_MS: '200' };
    const closed = await openStore({ config: parseConfig(env) });
    const started = Date.now();
    await expect(closed.acquire(request)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(200 + 2_000);
    const open = await openStore({ config: parseConfig({ ...env, STORE_FAIL_MODE: 'open' }) });
    expect(await open.acquire(request)).toEqual({ allowed: true, counters: [], unavailable: true });
    await closed.close();
    await open.close();
  });

  it('loads the Redis and SQLite clients only when they are configured (the built module, in a new process)', () => {
    const built = fileURLToPath(new URL('../../../dist/entry/store/open-store.js', import.meta.url));
    expect(existsSync(built), 'run `npm run build` first (npm test does)').toBe(true);
    const probe = (env: Record<string, string>) =>
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module';
           const { openStore } = await import(${JSON.stringify(built)});
           const { parseConfig } = await import(${JSON.stringify(built.replace(/entry\/store\/open-store\.js$/, 'core/config/index.js'))});
           const store = await openStore({ config: parseConfig(${JSON.stringify(env)}) });
           await store.close();
           const loaded = Object.keys(createRequire(import.meta.url).cache);
           console.log(['ioredis', 'node-sqlite3-wasm'].filter((name) => loaded.some((file) => file.includes('/node_modules/' + name + '/'))).join(','));`,
        ],
        { encoding: 'utf8', cwd: dir },
      ).trim();
    expect(probe({})).toBe('');
    expect(probe({ GATEWAY_DB: join(dir, 'lazy.db') })).toBe('node-sqlite3-wasm');
    expect(probe({ REDIS_URL: redis.url })).toBe('ioredis');
  });
});
