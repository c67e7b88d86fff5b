import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StoreUnavailableError } from '../../src/core/errors/gateway-error.js';
import type { Store } from '../../src/core/store/index.js';
import { compatibilityDate, compatibilityFlags } from '../contract/targets.js';
import { describeStore } from '../store/store-suite.js';
import { buildWorkerBundle, ROOT } from './bundle.js';

let miniflare: Miniflare;
let url: string;

beforeAll(async () => {
  const outdir = join(ROOT, '.wrangler/test-store-worker');
  buildWorkerBundle({ entry: join(ROOT, 'test/workers/store-worker.ts'), outdir });
  miniflare = new Miniflare({
    modules: true,
    scriptPath: join(outdir, 'store-worker.js'),
    ...(compatibilityDate === undefined ? {} : { compatibilityDate }),
    compatibilityFlags,
    durableObjects: { GATEWAY_STATE: { className: 'GatewayState', useSQLite: true } },
    host: '127.0.0.1',
    port: 0,
  });
  url = (await miniflare.ready).origin;
}, 60_000);
afterAll(() => miniflare?.dispose());

/** A store whose every call runs in workerd: the Workers store client there, calling the Durable Objects. */
function remoteStore(clock: () => number): Store {
  const call = async (method: string, args: readonly unknown[]) => {
    const response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ method, args, now: clock() }),
    });
    const answer = (await response.json()) as {
      ok: boolean;
      result?: unknown;
      name?: string;
      message?: string;
    };
    if (answer.ok) return answer.result === null ? undefined : answer.result;
    const message = answer.message ?? '';
    throw answer.name === 'RangeError'
      ? new RangeError(message)
      : answer.name === 'StoreUnavailableError'
        ? new StoreUnavailableError(message)
        : new Error(`${answer.name}: ${message}`);
  };
  const typed =
    <T>(method: string) =>
    (...args: readonly unknown[]) =>
      call(method, args) as Promise<T>;
  return {
    engine: 'durable-object',
    acquire: typed('acquire'),
    settle: typed('settle'),
    keys: {
      create: typed('keys.create'),
      get: typed('keys.get'),
      list: typed('keys.list'),
      setPolicy: typed('keys.setPolicy'),
      revoke: typed('keys.revoke'),
      version: typed('keys.version'),
    },
    close: () => Promise.resolve(),
  };
}

describeStore('durable-object', () => ({ open: (clock) => Promise.resolve(remoteStore(clock)) }), {
  shared: true,
});

describe('the Worker and its Durable Object', () => {
  it('uses the Durable Object when GATEWAY_STATE is bound (not an isolate-local memory store)', async () => {
    const response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ method: 'engine', args: [], now: 0 }),
    });
    expect(await response.json()).toEqual({ ok: true, result: 'durable-object' });
  });

  it('binds GATEWAY_STATE to the GatewayState class the Worker bundle exports', () => {
    const output = inject('wranglerBuildOutput');
    expect(output).toMatch(/env\.GATEWAY_STATE \(GatewayState\)/);
  });
});
