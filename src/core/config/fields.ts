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

/** One entry of `ADDITIONAL_PROVIDERS`. Unknown keys are refused: `baseURL` for `baseUrl` is a common slip. */
export const providerEntry = z.strictObject({
  id: providerId,
  baseUrl,
  token: z.optional(bearerToken),
  aliases: z.optional(
    z.record(
      z.string().check(z.minLength(1, 'must not be empty')),
      z.string().check(z.minLength(1, 'must not be empty')),
      'must be an object of {"client-facing name": "this provider\'s own name"}',
    ),
  ),
  models: z.optional(
    z.array(
      z.string().check(z.minLength(1, 'must not be empty')),
      'must be an array of model names (globs with * allowed)',
    ),
  ),
  weight: z._default(
    z.number().check(z.minimum(0, 'must be 0 or more'), z.maximum(1_000_000, 'must be at most 1000000')),
    1,
  ),
});

/**
 * A JSON value given as text (or, on Workers, already parsed). Bad JSON is reported with `example`, never with
 * JSON.parse's own message: that quotes the input, tokens included.
 */
function jsonText(example: string) {
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
export const modelFallbacks = z.pipe(
  jsonText('{"model":["fallback-model"]}'),
  z.record(
    z.string().check(z.minLength(1, 'must not be empty')),
    z.array(z.string().check(z.minLength(1, 'must not be empty')), 'must be an array of model names'),
    'must be a JSON object of {"model": ["fallback-model", ...]}',
  ),
);

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
