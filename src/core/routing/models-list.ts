import { LightHeaders } from '../exchange/header-map.js';
import { type Provider, upstreamUrl } from '../providers/provider-pool.js';
import { modelMatcher } from './model-matcher.js';

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
  const headers = new LightHeaders(Object.fromEntries(provider.setHeaders));
  const response = await provider.transport(upstreamUrl(provider, '/v1/models'), {
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
 * `GET /v1/models` for a configuration that names models: every alias of every provider, every model named in
 * the configuration, the models a provider reports itself that its globs match, and for providers without a
 * list everything they report. A provider's own list is fetched at most once per `cacheMs` and never waited on
 * past `timeoutMs`. OpenAI's list shape: each id once, `owned_by` the first provider that has it.
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

  // Per provider, once: its named models, and a matcher for its globs (when it has any).
  const named = providers.map((provider) => {
    const globs = provider.models?.filter((model) => model.includes('*')) ?? [];
    return {
      provider,
      aliases: Object.keys(provider.aliases ?? {}),
      exact: provider.models?.filter((model) => !model.includes('*')),
      glob: globs.length === 0 ? undefined : modelMatcher(globs),
    };
  });

  return async function listModels(): Promise<{ object: 'list'; data: ModelEntry[] }> {
    const lists = await Promise.all(
      named.map(async ({ provider, aliases, exact, glob }) => ({
        provider: provider.id,
        ids: [
          ...aliases,
          ...(exact === undefined
            ? await reported(provider)
            : glob === undefined
              ? exact
              : [...exact, ...(await reported(provider)).filter(glob)]),
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
