import type * as z from 'zod/mini';
import { type ClientKey, type ClientKeys, clientKeyOf } from './access.js';
import { bearerToken, type providerEntry } from './fields.js';
import type { ConfigFile } from './file-schema.js';
import { mergeNumbers } from './settings.js';

/** The id the seed gives the provider named by `DEFAULT_OPENAI_PROVIDER`. */
export const DEFAULT_PROVIDER_ID = 'default';
/** A provider as the gateway runs it: tokens and header values read from the environment. */
export interface ResolvedProvider {
  readonly id: string;
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly weight: number;
  readonly models: readonly string[] | undefined;
  readonly aliases: Readonly<Record<string, string>> | undefined;
  /** How the token is sent; `bearer` when absent. */
  readonly auth?: 'bearer' | 'api-key' | 'none' | undefined;
  /** Extra request headers (names lowercase), `headersEnv` values resolved. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Query parameters added to every upstream URL. */
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** `prefill`: a cut chat stream may be continued here (see `proxy/continuation.ts`). */
  readonly continuation?: 'prefill' | 'none' | undefined;
}

/** The built-in provider served when none is configured. */
export const DEMO_PROVIDER: ResolvedProvider = {
  id: 'demo',
  baseUrl: 'http://demo.invalid',
  token: undefined,
  weight: 1,
  models: undefined,
  aliases: undefined,
};

const MIB = 1024 * 1024;

type ProviderEntry = z.output<typeof providerEntry>;

/** What the environment schema gives: the variables it knows, parsed. */
type ParsedVariables = {
  readonly DEFAULT_OPENAI_PROVIDER?: string | undefined;
  readonly DEFAULT_OPENAI_TOKEN?: string | undefined;
  readonly ADDITIONAL_PROVIDERS?: readonly ProviderEntry[] | undefined;
  readonly MODEL_FALLBACKS?: Readonly<Record<string, readonly string[]>> | undefined;
  readonly PROXY_API_KEYS?: ClientKeys | undefined;
  readonly LOAD_BALANCER_STRATEGY?: ConfigFile['loadBalancerStrategy'];
  readonly CORS_ALLOWED_ORIGINS?: '*' | readonly string[] | undefined;
  readonly ALLOWED_PATHS?: readonly string[] | undefined;
  readonly HOST?: string | undefined;
  readonly GATEWAY_ADMIN_KEY?: string | undefined;
  readonly METRICS_API_KEY?: string | undefined;
  readonly GATEWAY_DB?: string | undefined;
  readonly REDIS_URL?: string | undefined;
  readonly STORE_FAIL_MODE?: 'open' | 'closed' | undefined;
};

/** Where the shared state lives (Workers: the GATEWAY_STATE binding, which is not a variable). */
export type StoreConfig =
  | { readonly engine: 'memory' }
  | { readonly engine: 'sqlite'; readonly path: string }
  | { readonly engine: 'redis'; readonly url: string };

export interface ResolveOptions {
  readonly env: ParsedVariables;
  /** The environment as given: a `tokenEnv` names one of its variables (on Workers, a secret). */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly file: ConfigFile | undefined;
  /** Where problems found while merging go (a zod transform's `ctx.issues`). */
  readonly issues: { push(issue: z.core.$ZodRawIssue): unknown };
}

type Path = readonly (string | number)[];

/** Keys given as "unset" (blank, or only separators) leave the other source's keys in place. */
function given(keys: ClientKeys | undefined): ClientKeys | undefined {
  return keys?.kind === 'unset' ? undefined : keys;
}

/**
 * Merges the environment over the config file, in this order: built-in defaults, then the file, then each
 * variable set in the environment. Providers merge by id: the file's in order, an environment provider with
 * the same id in its place, then the environment's others. `MODEL_FALLBACKS` merges by model.
 */
export function resolveConfig(options: ResolveOptions) {
  const { env, raw, file, issues } = options;
  const problem = (path: Path, message: string) => {
    issues.push({ code: 'custom', message, input: '', path: [...path] });
  };

  /** A `tokenEnv` read from the environment, which holds secrets (Workers) as well as variables. */
  const tokenFrom = (name: string | undefined, at: Path): string | undefined => {
    if (name === undefined) return undefined;
    const value = raw[name];
    const text = typeof value === 'string' ? value.trim() : undefined;
    if (text === undefined || text === '') {
      problem([...at, 'tokenEnv'], `names ${name}, which is not set`);
      return undefined;
    }
    const token = bearerToken.safeParse(text);
    if (!token.success) problem(['env', name], token.error.issues[0]?.message ?? 'is invalid');
    return token.data;
  };

  const fromFile = (file?.providers ?? []).map((provider, index) => ({
    provider,
    at: ['file', 'providers', index] as Path,
  }));
  const fromEnv = [
    ...(env.DEFAULT_OPENAI_PROVIDER === undefined
      ? []
      : [
          {
            provider: {
              id: DEFAULT_PROVIDER_ID,
              baseUrl: env.DEFAULT_OPENAI_PROVIDER,
              token: env.DEFAULT_OPENAI_TOKEN,
              weight: 1,
            } as ProviderEntry,
            at: ['env', 'DEFAULT_OPENAI_PROVIDER'] as Path,
          },
        ]),
    ...(env.ADDITIONAL_PROVIDERS ?? []).map((provider, index) => ({
      provider,
      at: ['env', 'ADDITIONAL_PROVIDERS', index] as Path,
    })),
  ];
  const merged = [
    ...fromFile.map((entry) => fromEnv.find((over) => over.provider.id === entry.provider.id) ?? entry),
    ...fromEnv.filter((over) => !fromFile.some((entry) => entry.provider.id === over.provider.id)),
  ];
  /** A provider's extra headers, names lowercase, `headersEnv` values read from the environment. */
  const headersOf = (provider: ProviderEntry, at: Path): Readonly<Record<string, string>> | undefined => {
    if (provider.headers === undefined && provider.headersEnv === undefined) return undefined;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(provider.headers ?? {})) headers[name.toLowerCase()] = value;
    for (const [name, variable] of Object.entries(provider.headersEnv ?? {})) {
      const value = raw[variable];
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') problem([...at, 'headersEnv', name], `names ${variable}, which is not set`);
      else if (!/^[\t\x20-\x7e]*$/.test(text))
        problem(['env', variable], 'must be printable ASCII on one line');
      else headers[name.toLowerCase()] = text;
    }
    return headers;
  };

  const providers = merged.map(
    ({ provider, at }): ResolvedProvider => ({
      id: provider.id,
      baseUrl: provider.baseUrl,
      token: provider.token ?? tokenFrom(provider.tokenEnv, at),
      weight: provider.weight,
      models: provider.models as readonly string[] | undefined,
      aliases: provider.aliases as Readonly<Record<string, string>> | undefined,
      auth: provider.auth,
      headers: headersOf(provider, at),
      query: provider.query as Readonly<Record<string, string>> | undefined,
      continuation: provider.continuation,
    }),
  );

  const clientKeys = mergeClientKeys({
    listed: given(env.PROXY_API_KEYS) ?? given(file?.proxyApiKeys),
    listedAt: given(env.PROXY_API_KEYS) === undefined ? ['file', 'proxyApiKeys'] : ['env', 'PROXY_API_KEYS'],
    named: (file?.keys ?? []).flatMap((entry, index): ClientKey[] => {
      const at: Path = ['file', 'keys', index];
      if (entry.keySha256 !== undefined) return [{ name: entry.name, sha256: entry.keySha256.toLowerCase() }];
      if (entry.key !== undefined) return [clientKeyOf(entry.key, entry.name)];
      const value = entry.keyEnv === undefined ? undefined : raw[entry.keyEnv];
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '' || !/^[\x21-\x7e]+$/.test(text)) {
        problem(
          [...at, 'keyEnv'],
          `names ${entry.keyEnv}, which is ${text === '' ? 'not set' : 'not a key (printable ASCII without spaces)'}`,
        );
        return [];
      }
      return [clientKeyOf(text, entry.name)];
    }),
    problem,
  });
  const numbers = mergeNumbers(env, file);
  const cooldownMs = numbers.breakerCooldownMs ?? 5_000;
  const demo = providers.length === 0;
  return {
    providers: demo ? [DEMO_PROVIDER] : providers,
    demo,
    modelFallbacks: { ...file?.modelFallbacks, ...env.MODEL_FALLBACKS } as Readonly<
      Record<string, readonly string[]>
    >,
    strategy: env.LOAD_BALANCER_STRATEGY ?? file?.loadBalancerStrategy ?? 'round-robin',
    clientKeys,
    /** Endpoints forwarded (globs relative to /v1/); undefined: every one. */
    allowedPaths: (env.ALLOWED_PATHS ?? file?.allowedPaths) as readonly string[] | undefined,
    corsOrigins: (env.CORS_ALLOWED_ORIGINS ?? file?.corsAllowedOrigins ?? '*') as '*' | readonly string[],
    maxBodyBytes: numbers.maxBodyBytes ?? 50 * MIB,
    upstreamHeadersTimeoutMs: numbers.upstreamHeadersTimeoutMs ?? 30_000,
    requestTimeoutMs: numbers.requestTimeoutMs ?? 300_000,
    firstTokenTimeoutMs: numbers.firstTokenTimeoutMs ?? 15_000,
    streamIdleTimeoutMs: numbers.streamIdleTimeoutMs ?? 20_000,
    maxAttempts: numbers.maxAttempts ?? Math.max(2, demo ? 1 : providers.length),
    breaker: {
      failureThreshold: numbers.breakerFailureThreshold ?? 3,
      cooldownMs,
      maxCooldownMs: Math.max(numbers.breakerMaxCooldownMs ?? 120_000, cooldownMs),
    },
    maxFirstEventBytes: numbers.maxFirstEventBytes ?? MIB,
    maxHeldBodyBytes: numbers.maxHeldBodyBytes ?? 8 * MIB,
    maxDecodedBodyBytes: numbers.maxDecodedBodyBytes ?? 64 * MIB,
    clientHeadersTimeoutMs: numbers.clientHeadersTimeoutMs ?? 30_000,
    clientBodyTimeoutMs: numbers.clientBodyTimeoutMs ?? 30_000,
    maxConnections: numbers.maxConnections ?? 4096,
    maxConcurrentRequestsPerKey: numbers.maxConcurrentRequestsPerKey ?? 1024,
    maxOpenStreamsPerKey: numbers.maxOpenStreamsPerKey ?? 512,
    modelsCacheTtlMs: numbers.modelsCacheTtlMs ?? 300_000,
    shutdownGraceMs: numbers.shutdownGraceMs ?? 10_000,
    store: (env.REDIS_URL !== undefined
      ? { engine: 'redis', url: env.REDIS_URL }
      : env.GATEWAY_DB !== undefined
        ? { engine: 'sqlite', path: env.GATEWAY_DB }
        : { engine: 'memory' }) as StoreConfig,
    storeFailMode: env.STORE_FAIL_MODE ?? 'closed',
    storeTimeoutMs: numbers.storeTimeoutMs ?? 1_000,
    host: env.HOST ?? file?.host ?? '127.0.0.1',
    adminKey: env.GATEWAY_ADMIN_KEY,
    // "*": /metrics open to anyone who can reach it (the operator's choice, e.g. behind a private network).
    metricsKey: env.METRICS_API_KEY,
    prices: (file?.prices ?? {}) as Readonly<
      Record<
        string,
        { readonly input: number; readonly cachedInput?: number | undefined; readonly output: number }
      >
    >,
    port: numbers.port ?? 8787,
  };
}

/**
 * The keys the gateway accepts: the list (`PROXY_API_KEYS`, else the file's `proxyApiKeys`) and the file's named
 * `keys`. Names and keys must be unique (a duplicate name would merge two keys' records; a duplicate key would
 * give one key two names).
 */
function mergeClientKeys(options: {
  listed: ClientKeys | undefined;
  listedAt: Path;
  named: readonly ClientKey[];
  problem: (path: Path, message: string) => void;
}): ClientKeys {
  const { listed, named, problem } = options;
  const keys = [...(listed?.kind === 'list' ? listed.keys : []), ...named];
  const names = new Set<string>();
  const digests = new Set<string>();
  for (const [index, key] of keys.entries()) {
    const fromFile = index >= keys.length - named.length;
    const at: Path = fromFile
      ? ['file', 'keys', index - (keys.length - named.length), 'name']
      : options.listedAt;
    if (names.has(key.name)) problem(at, `duplicate key name "${key.name}"`);
    else if (digests.has(key.sha256)) problem(at, `the key named "${key.name}" is given twice`);
    names.add(key.name);
    digests.add(key.sha256);
  }
  if (listed?.kind === 'any') return { kind: 'any', keys };
  return keys.length === 0 ? { kind: 'unset' } : { kind: 'list', keys };
}
