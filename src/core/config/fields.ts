import * as z from 'zod/mini';

/**
 * An optional environment value. Strings are trimmed (blank means unset: surrounding spaces are never
 * meant); numbers, as Workers [vars] may give them, mean the same as their text.
 */
export function envValue<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(
    z.transform((value: unknown) => {
      if (typeof value === 'number') return String(value);
      if (typeof value !== 'string') return value;
      const trimmed = value.trim();
      return trimmed === '' ? undefined : trimmed;
    }),
    z.optional(schema),
  );
}

/** A whole number from an environment string, within bounds. */
export function integerString(options: { min: number; max: number }) {
  return z.pipe(
    z.string().check(z.regex(/^\d+$/, 'must be a whole number')),
    z.pipe(
      z.transform(Number),
      z
        .number()
        .check(
          z.minimum(options.min, `must be at least ${options.min}`),
          z.maximum(options.max, `must be at most ${options.max}`),
        ),
    ),
  );
}

/**
 * A provider base URL, normalised without a trailing slash. Messages never echo the value: it may
 * carry credentials.
 */
export const baseUrl = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const fail = (message: string) => {
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail('is not a valid URL (expected e.g. https://api.fireworks.ai/inference)');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return fail('must start with http:// or https://');
    if (url.username !== '' || url.password !== '') {
      return fail('must not contain credentials: give the token separately');
    }
    if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
      return fail('must not contain a query string or fragment');
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }),
);

/** A token sent as `Authorization: Bearer <token>`: one header-safe word. */
export const bearerToken = z
  .string()
  .check(
    z.trim(),
    z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent as a Bearer token)'),
  );

/** A provider id: shown in headers, logs and /stats. */
export const providerId = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
      'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ),
  );

/** The name of an environment variable (or Workers secret) that holds a value, e.g. a provider's token. */
export const variableName = z
  .string()
  .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a variable name like FIREWORKS_API_KEY'));

const modelName = z.string().check(z.minLength(1, 'must not be empty'));

/** Fields a provider's `headers` may not set: the runtime's fetch and the connection own them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Why a request header name cannot be configured, or undefined when it can. */
function headerNameProblem(name: string): string | undefined {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return 'must be a header name (letters, digits, "-")';
  if (RESERVED_HEADERS.has(name.toLowerCase())) return 'is set by the gateway, not configurable';
  return undefined;
}

/** A header value: printable ASCII, spaces and tabs (never CR or LF). Messages never echo it. */
const headerValue = z.string().check(z.regex(/^[\t\x20-\x7e]*$/, 'must be printable ASCII on one line'));

/** How a provider's token is sent. */
export const authStyle = z.enum(
  ['bearer', 'api-key', 'none'],
  'must be one of bearer (Authorization: Bearer <token>), api-key (api-key: <token>, Azure OpenAI), none',
);

/**
 * A provider, in `ADDITIONAL_PROVIDERS` or a config file's `providers`. Unknown keys are refused: `baseURL` for
 * `baseUrl` is a common slip. The token is given inline or, to keep it out of files and [vars], as `tokenEnv`:
 * the name of the variable (or Workers secret) that holds it.
 */
export const providerEntry = z
  .strictObject({
    id: providerId.check(z.describe('Shown in x-proxy-provider, logs and /stats.')),
    baseUrl: baseUrl.check(
      z.describe('The OpenAI-compatible base URL; /v1/... is appended as the client sent it.'),
    ),
    token: z.optional(bearerToken.check(z.describe('Sent upstream as Authorization: Bearer <token>.'))),
    tokenEnv: z.optional(variableName.check(z.describe('The variable or Workers secret holding the token.'))),
    aliases: z.optional(
      z
        .record(
          modelName,
          modelName,
          'must be an object of {"client-facing name": "this provider\'s own name"}',
        )
        .check(z.describe("Client-facing model name -> this provider's own name for it.")),
    ),
    models: z.optional(
      z
        .array(modelName, 'must be an array of model names (globs with * allowed)')
        .check(z.describe('The models this provider serves (globs with *). Without it: any model.')),
    ),
    continuation: z.optional(
      z
        .enum(['prefill', 'none'], 'must be "prefill" or "none"')
        .check(
          z.describe(
            'Whether a cut chat stream may be continued here with the delivered text as an assistant prefill.',
          ),
        ),
    ),
    auth: z.optional(
      authStyle.check(
        z.describe('How the token is sent: bearer (default), api-key (the api-key header, Azure), none.'),
      ),
    ),
    headers: z.optional(
      z
        .record(z.string(), headerValue, 'must be an object of {"Header-Name": "value"}')
        .check(z.describe('Extra headers sent with every request to this provider.')),
    ),
    headersEnv: z.optional(
      z
        .record(z.string(), variableName, 'must be an object of {"Header-Name": "VARIABLE_NAME"}')
        .check(z.describe('Extra headers whose values are read from these variables (or Workers secrets).')),
    ),
    query: z.optional(
      z
        .record(z.string(), z.string(), 'must be an object of {"name": "value"}')
        .check(
          z.describe('Query parameters added to every request URL, e.g. {"api-version": "2024-10-21"}.'),
        ),
    ),
    weight: z._default(
      z
        .number()
        .check(
          z.minimum(0, 'must be 0 or more'),
          z.maximum(1_000_000, 'must be at most 1000000'),
          z.describe('Share of traffic; 0 makes it a backup, used only when the others fail.'),
        ),
      1,
    ),
  })
  .check(
    z.superRefine((provider, ctx) => {
      if (provider.token !== undefined && provider.tokenEnv !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['tokenEnv'], message: 'give token or tokenEnv, not both' });
      }
      for (const field of ['headers', 'headersEnv'] as const) {
        for (const name of Object.keys(provider[field] ?? {})) {
          const message = headerNameProblem(name);
          if (message !== undefined) ctx.addIssue({ code: 'custom', path: [field, name], message });
        }
      }
      for (const name of Object.keys(provider.query ?? {})) {
        if (!/^[A-Za-z0-9._~-]+$/.test(name)) {
          ctx.addIssue({ code: 'custom', path: ['query', name], message: 'must be a query parameter name' });
        }
      }
      const inline = Object.keys(provider.headers ?? {}).map((name) => name.toLowerCase());
      for (const name of Object.keys(provider.headersEnv ?? {})) {
        if (inline.includes(name.toLowerCase())) {
          ctx.addIssue({
            code: 'custom',
            path: ['headersEnv', name],
            message: 'is also in headers: give it in one of them',
          });
        }
      }
      const authHeader =
        provider.auth === 'none' ? undefined : provider.auth === 'api-key' ? 'api-key' : 'authorization';
      for (const field of ['headers', 'headersEnv'] as const) {
        for (const name of Object.keys(provider[field] ?? {})) {
          if (name.toLowerCase() === authHeader) {
            ctx.addIssue({
              code: 'custom',
              path: [field, name],
              message: `is what auth "${provider.auth ?? 'bearer'}" sets from the token (use "auth": "none" to set it here)`,
            });
          }
        }
      }
      if (provider.auth === 'api-key' && provider.token === undefined && provider.tokenEnv === undefined) {
        ctx.addIssue({ code: 'custom', path: ['auth'], message: 'api-key needs a token or tokenEnv' });
      }
    }),
  );

/** `{"model": ["fallback", ...]}`: the models to try, in order, when every provider of a model has failed. */
export const fallbackTable = z.record(
  modelName,
  z.array(modelName, 'must be an array of model names'),
  'must be an object of {"model": ["fallback-model", ...]}',
);

/**
 * A JSON value given as text (or, on Workers, already parsed). Bad JSON is reported with `example`, never with
 * JSON.parse's own message: that quotes the input, tokens included.
 */
export function jsonText(example: string) {
  return z.transform((value: unknown, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.issues.push({ code: 'custom', message: `is not valid JSON (expected ${example})`, input: '' });
      return z.NEVER;
    }
  });
}

/** `ADDITIONAL_PROVIDERS`: a JSON array of providers. */
export const providerList = z.pipe(
  jsonText('an array like [{"id":"a","baseUrl":"https://…","token":"…"}]'),
  z.array(providerEntry, 'must be a JSON array of {"id","baseUrl","token","weight"} objects'),
);

/** `MODEL_FALLBACKS`: `{"model": ["fallback", ...]}`. */
export const modelFallbacks = z.pipe(jsonText('{"model":["fallback-model"]}'), fallbackTable);

const strategies = { 'round-robin': 'round-robin', random: 'random', 'least-used': 'least-used' } as const;
export type StrategyName = (typeof strategies)[keyof typeof strategies];

/** `LOAD_BALANCER_STRATEGY`: `round-robin` or the seed's `ROUND_ROBIN`, in any case. */
export const strategyName = z.pipe(
  z.string(),
  z.transform((value: string, ctx): StrategyName => {
    const key = value.toLowerCase().replaceAll('_', '-');
    if (Object.hasOwn(strategies, key)) return strategies[key as keyof typeof strategies];
    ctx.issues.push({
      code: 'custom',
      message: 'must be one of round-robin, random, least-used (or ROUND_ROBIN, RANDOM, LEAST_USED)',
      input: value,
    });
    return z.NEVER;
  }),
);

/** A comma-separated list, spaces around items ignored, empty items dropped. */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Node: the address to listen on. */
export const hostName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address'));

/** A load-balancer strategy as a config file names it. */
export const strategyEnum = z.enum(
  ['round-robin', 'random', 'least-used'],
  'must be one of round-robin, random, least-used',
);

/**
 * `REDIS_URL`: `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Messages never echo it: it may
 * hold a password.
 */
export const redisUrl = z.string().check(
  z.refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a URL like redis://host:6379 or rediss://user:password@host:6380/0'),
);

/** `GATEWAY_DB`: the SQLite file of the shared state (Node). */
export const databasePath = z
  .string()
  .check(z.refine((value) => !value.includes('\0'), 'must be a file path like ./gateway.db'));

/** `STORE_FAIL_MODE`: what a limited request gets when the store does not answer. */
export const storeFailMode = z.pipe(
  z.string(),
  z.transform((value: string, ctx): 'open' | 'closed' => {
    const mode = value.toLowerCase();
    if (mode === 'open' || mode === 'closed') return mode;
    ctx.issues.push({
      code: 'custom',
      message: 'must be closed (refuse limited requests, 503) or open (let them through uncounted)',
      input: value,
    });
    return z.NEVER;
  }),
);
