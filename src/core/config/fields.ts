import { z } from 'zod';

/** Environment values arrive as strings; blank means unset and surrounding spaces are never meant. */
export function envValue<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    // Workers [vars] may arrive as numbers; they mean the same as their text.
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }, schema.optional());
}

/** A whole number from an environment string, within bounds. */
export function integerString(options: { min: number; max: number }) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(options.min, `must be at least ${options.min}`)
        .max(options.max, `must be at most ${options.max}`),
    );
}

/**
 * A provider base URL, normalised without a trailing slash. Messages never echo the value: it may
 * carry credentials.
 */
export const baseUrl = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'is not a valid URL (expected e.g. https://api.fireworks.ai/inference)',
    });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' });
  } else if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not contain credentials: give the token separately' });
  } else if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a query string or fragment' });
  } else {
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  return z.NEVER;
});

/** A token sent as `Authorization: Bearer <token>`: one header-safe word. */
export const bearerToken = z
  .string()
  .trim()
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent as a Bearer token)');

/** A provider id: shown in headers, logs and /stats. */
export const providerId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** One entry of `ADDITIONAL_PROVIDERS`. Unknown keys are refused: `baseURL` for `baseUrl` is a common slip. */
export const providerEntry = z.strictObject({
  id: providerId,
  baseUrl,
  token: bearerToken.optional(),
  weight: z.number().min(0, 'must be 0 or more').max(1_000_000, 'must be at most 1000000').default(1),
});

/** `ADDITIONAL_PROVIDERS`: a JSON array string (or, on Workers, an already parsed array). */
export const providerList = z
  .unknown()
  .transform((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      // Never JSON.parse's own message: it quotes the input, tokens included.
      ctx.addIssue({
        code: 'custom',
        message: 'is not valid JSON (expected an array like [{"id":"a","baseUrl":"https://…","token":"…"}])',
      });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(providerEntry, { error: 'must be a JSON array of {"id","baseUrl","token","weight"} objects' }),
  );

const strategies = { 'round-robin': 'round-robin', random: 'random', 'least-used': 'least-used' } as const;
export type StrategyName = (typeof strategies)[keyof typeof strategies];

/** `LOAD_BALANCER_STRATEGY`: `round-robin` or the seed's `ROUND_ROBIN`, in any case. */
export const strategyName = z.string().transform((value, ctx): StrategyName => {
  const key = value.toLowerCase().replaceAll('_', '-');
  if (Object.hasOwn(strategies, key)) return strategies[key as keyof typeof strategies];
  ctx.addIssue({
    code: 'custom',
    message: 'must be one of round-robin, random, least-used (or ROUND_ROBIN, RANDOM, LEAST_USED)',
  });
  return z.NEVER;
});

/** A comma-separated list, spaces around items ignored, empty items dropped. */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
