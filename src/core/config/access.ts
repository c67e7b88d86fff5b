import * as z from 'zod/mini';
import { commaList } from './fields.js';

/** Who may call the gateway: `PROXY_API_KEYS`, or a config file's `proxyApiKeys`. */
export type ClientKeys =
  | { readonly kind: 'unset' }
  | { readonly kind: 'any' }
  | {
      readonly kind: 'list';
      readonly keys: readonly string[];
      /** Added to a refusal's message: where a key generated for the run can be found. */
      readonly hint?: string;
    };

type Issues = z.core.$RefinementCtx['issues'] | { push(issue: z.core.$ZodRawIssue): void };

function clientKeysOf(keys: readonly string[], issues: Issues): ClientKeys | typeof z.NEVER {
  // Only separators (" , "): as good as empty, which counts as unset.
  if (keys.length === 0) return { kind: 'unset' };
  if (keys.length === 1 && keys[0] === '*') return { kind: 'any' };
  if (keys.includes('*')) {
    issues.push({
      code: 'custom',
      message: 'use "*" alone (any key) or a list of keys, not both',
      input: '',
    });
  } else if (keys.some((key) => !/^[\x21-\x7e]+$/.test(key))) {
    issues.push({ code: 'custom', message: 'keys must be printable ASCII without spaces', input: '' });
  } else {
    return { kind: 'list', keys };
  }
  return z.NEVER;
}

function originsOf(origins: readonly string[], issues: Issues): '*' | string[] | typeof z.NEVER {
  if (origins.length === 1 && origins[0] === '*') return '*';
  const normalised: string[] = [];
  for (const [index, origin] of origins.entries()) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {}
    if (!url || url.origin === 'null' || url.origin !== origin.replace(/\/$/, '')) {
      // Not quoted: a mistyped entry may hold credentials, or span lines.
      issues.push({
        code: 'custom',
        message: `entry ${index + 1} is not an origin like https://app.example.com (or use "*" alone)`,
        input: '',
      });
      return z.NEVER;
    }
    normalised.push(url.origin);
  }
  return normalised;
}

/** `PROXY_API_KEYS`: comma-separated keys, or `*` for any key. */
export const clientKeysText = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => clientKeysOf(commaList(value), ctx.issues)),
);

/** A config file's `proxyApiKeys`: an array of keys, or `"*"` for any key. */
export const clientKeysList = z.pipe(
  z
    .union([z.literal('*'), z.array(z.string())], 'must be "*" or an array of keys')
    .check(z.describe('Client keys accepted as Authorization: Bearer or X-API-KEY; "*" accepts any key.')),
  z.transform((value, ctx) => clientKeysOf(value === '*' ? ['*'] : value, ctx.issues)),
);

/** `CORS_ALLOWED_ORIGINS`: comma-separated origins, or `*`. Only separators (" , ") count as unset. */
export const originsText = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const origins = commaList(value);
    return origins.length === 0 ? undefined : originsOf(origins, ctx.issues);
  }),
);

/** A config file's `corsAllowedOrigins`: an array of origins, or `"*"`. */
export const originsList = z.pipe(
  z
    .union([z.literal('*'), z.array(z.string())], 'must be "*" or an array of origins')
    .check(z.describe('Browser origins allowed by CORS, like https://app.example.com; "*" allows any.')),
  z.transform((value, ctx) => originsOf(value === '*' ? ['*'] : value, ctx.issues)),
);
