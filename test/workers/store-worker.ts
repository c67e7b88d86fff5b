// A test Worker: the real GatewayState class and the real Workers store client, reached over HTTP so that the
// one store suite (in Node) can run against Durable Objects inside workerd. Built by wrangler with wrangler.toml.
import type { Store } from '../../src/core/store/index.js';
import { workerStore } from '../../src/entry/worker-store.js';

export { GatewayState } from '../../src/entry/durable-state.js';

interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
  readonly now: number;
  readonly timeoutMs?: number;
}

type Method = (...args: readonly unknown[]) => Promise<unknown>;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const call = (await request.json()) as Call;
    const store: Store = workerStore(env, {
      clock: () => call.now,
      timeoutMs: call.timeoutMs ?? 5_000,
      failMode: 'closed',
    });
    if (call.method === 'engine') return Response.json({ ok: true, result: store.engine });
    const [group, name] = call.method.split('.') as [string, string | undefined];
    const target = (name === undefined ? store : store.keys) as unknown as Record<string, Method>;
    const method = target[name ?? group];
    if (method === undefined) return Response.json({ ok: false, name: 'TypeError', message: 'no such call' });
    try {
      const result = await method(...call.args);
      return Response.json({ ok: true, result: result ?? null });
    } catch (error) {
      const { name: errorName, message } = error instanceof Error ? error : new Error(String(error));
      return Response.json({ ok: false, name: errorName, message });
    }
  },
} satisfies ExportedHandler<Env>;
