import { LightHeaders } from '../exchange/header-map.js';
import type { Provider } from '../providers/provider-pool.js';

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ModelsListOptions {
  providers: readonly Provider[];
  now: () => number;
  /** How long a provider's own list is reused. */
  cacheMs: number;
  /** The longest a listing waits for a provider's own list; a slower one is left out this time. */
  timeoutMs: number;
  /** The largest list read (`MAX_HELD_BODY_BYTES`): a longer one is left out. */
  maxBytes: number;
}

const decoder = new TextDecoder();

async function readAll(provider: Provider, signal: AbortSignal, maxBytes: number): Promise<string[]> {
  const headers = new LightHeaders(
    provider.authorization === undefined ? {} : { authorization: provider.authorization },
  );
  const response = await provider.transport(`${provider.prefix}/v1/models`, {
    method: 'GET',
    headers,
    body: undefined,
    signal,
    maxDecodedBytes: maxBytes,
  });
  if (response.body === null) return [];
  let text = '';
  let length = 0;
  for (let chunk = await response.body.read(); !chunk.done; chunk = await response.body.read()) {
    length += chunk.value.byteLength;
    if (length > maxBytes) {
      await response.body.cancel().catch(() => {});
      return [];
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  if (response.status !== 200) return [];
  const data = (JSON.parse(text) as { data?: unknown }).data;
  return Array.isArray(data)
    ? data.flatMap((entry: unknown) => {
        const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
        return typeof id === 'string' ? [id] : [];
      })
    : [];
}

/**
 * `GET /v1/models` for a configuration that names models: every model named in the configuration (globs
 * aside: they name no one model), and for providers without a list, what they report themselves, fetched at
 * most once per `cacheMs` and never waited on past `timeoutMs`. OpenAI's list shape; first provider wins a
 * name.
 *
 * @example
 * const list = createModelsList({ providers, now: Date.now, cacheMs: 300_000, timeoutMs: 3_000 });
 * app.get('/v1/models', async (c) => c.json(await list()));
 */
export function createModelsList(options: ModelsListOptions) {
  const { providers, now, cacheMs, timeoutMs } = options;
  const cached = new Map<Provider, { at: number; ids: string[] }>();
  const pending = new Map<Provider, Promise<void>>();

  const refresh = (provider: Provider): Promise<void> => {
    let running = pending.get(provider);
    if (running === undefined) {
      const controller = new AbortController();
      // A provider that never answers must not hold a connection forever: give it ten listing deadlines.
      const stop = setTimeout(() => controller.abort(), timeoutMs * 10);
      running = readAll(provider, controller.signal, options.maxBytes)
        .then((ids) => void cached.set(provider, { at: now(), ids }))
        .catch(() => {})
        .finally(() => {
          clearTimeout(stop);
          pending.delete(provider);
        });
      pending.set(provider, running);
    }
    return running;
  };

  const reported = async (provider: Provider): Promise<string[]> => {
    const entry = cached.get(provider);
    if (entry !== undefined && now() - entry.at < cacheMs) return entry.ids;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      refresh(provider),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    if (timer !== undefined) clearTimeout(timer);
    return cached.get(provider)?.ids ?? [];
  };

  return async function listModels(): Promise<{ object: 'list'; data: ModelEntry[] }> {
    const lists = await Promise.all(
      providers.map(async (provider) => ({
        provider: provider.id,
        ids: [
          ...Object.keys(provider.aliases ?? {}),
          ...(provider.models?.filter((model) => !model.includes('*')) ?? (await reported(provider))),
        ],
      })),
    );
    const seen = new Set<string>();
    const data: ModelEntry[] = [];
    for (const { provider, ids } of lists) {
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        data.push({ id, object: 'model', created: 0, owned_by: provider });
      }
    }
    return { object: 'list', data };
  };
}
