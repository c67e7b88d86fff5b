import * as z from 'zod/mini';
import { commaList } from './fields.js';
import { sha256Hex } from './sha256-hex.js';

/** One client key: its name (what records, logs, /stats and /metrics show) and its SHA-256; never shown. */
export interface ClientKey {
  readonly name: string;
  /** Lowercase hex SHA-256 of the key: what a presented key's digest is compared with. */
  readonly sha256: string;
  /** The key itself, when the configuration gave it in plain text (kept out of logs by the redactor). */
  readonly secret?: string;
}

/**
 * Who may call the gateway: `PROXY_API_KEYS`, a config file's `proxyApiKeys` and `keys`. `any` (the value
 * `*`) accepts any non-empty key; its named keys, if any, are still told apart by name.
 */
export type ClientKeys =
  | { readonly kind: 'unset' }
  | { readonly kind: 'any'; readonly keys: readonly ClientKey[] }
  | {
      readonly kind: 'list';
      readonly keys: readonly ClientKey[];
      /** Added to a refusal's message: where a key generated for the run can be found. */
      readonly hint?: string;
    };

/** Names shown for keys: 1-64 letters, digits, `.`, `_` or `-`. */
export const KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** What a plain key (no `name:`) is called: derived from its digest, which reveals nothing of it. */
export function derivedKeyName(sha256: string): string {
  return `key-${sha256.slice(0, 8)}`;
}

type Issues = z.core.$RefinementCtx['issues'] | { push(issue: z.core.$ZodRawIssue): void };

/** A key given in plain text: `key` or `name:key` (the first `:` separates, when what precedes it is a name). */
export function clientKeyOf(entry: string, name?: string): ClientKey {
  const colon = entry.indexOf(':');
  const prefix = colon > 0 ? entry.slice(0, colon) : '';
  const [keyName, secret] =
    name === undefined && KEY_NAME.test(prefix) ? [prefix, entry.slice(colon + 1)] : [name, entry];
  const sha256 = sha256Hex(secret);
  return { name: keyName ?? derivedKeyName(sha256), sha256, secret };
}

/** `undefined` for "unset" (no entries), else the `*` flag and the named keys. */
function clientKeysOf(keys: readonly string[], issues: Issues): ClientKeys | typeof z.NEVER {
  // Only separators (" , "): as good as empty, which counts as unset.
  if (keys.length === 0) return { kind: 'unset' };
  if (keys.length === 1 && keys[0] === '*') return { kind: 'any', keys: [] };
  if (keys.includes('*')) {
    issues.push({
      code: 'custom',
      message: 'use "*" alone (any key) or a list of keys, not both',
      input: '',
    });
    return z.NEVER;
  }
  const parsed: ClientKey[] = [];
  for (const [index, key] of keys.entries()) {
    if (!/^[\x21-\x7e]+$/.test(key)) {
      issues.push({ code: 'custom', message: 'keys must be printable ASCII without spaces', input: '' });
      return z.NEVER;
    }
    const named = clientKeyOf(key);
    if (named.secret === '') {
      issues.push({ code: 'custom', message: `entry ${index + 1} has a name but no key`, input: '' });
      return z.NEVER;
    }
    parsed.push(named);
  }
  return { kind: 'list', keys: parsed };
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

/** `PROXY_API_KEYS`: comma-separated `key` or `name:key` entries, or `*` for any key. */
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

/**
 * A config file's `keys` entry: a name and the key as `key`, `keyEnv` (the variable or Workers secret that
 * holds it) or `keySha256` (its SHA-256 in hex, so no key needs to sit in a file).
 */
export const keyEntry = z
  .strictObject({
    name: z
      .string()
      .check(
        z.regex(KEY_NAME, 'must be 1-64 letters, digits, ".", "_" or "-"'),
        z.describe('Shown in logs, /stats and /metrics instead of the key.'),
      ),
    key: z.optional(
      z
        .string()
        .check(
          z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
          z.describe('The key in plain text (prefer keyEnv or keySha256).'),
        ),
    ),
    keyEnv: z.optional(
      z
        .string()
        .check(
          z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a variable name like TEAM_A_KEY'),
          z.describe('The variable or Workers secret holding the key.'),
        ),
    ),
    keySha256: z.optional(
      z
        .string()
        .check(
          z.regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (the SHA-256 of the key)'),
          z.describe('The SHA-256 of the key, in hex: e.g. printf %s "$KEY" | sha256sum.'),
        ),
    ),
  })
  .check(
    z.superRefine((entry, ctx) => {
      const given = [entry.key, entry.keyEnv, entry.keySha256].filter((value) => value !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['key'],
          message: 'give exactly one of key, keyEnv, keySha256',
        });
      }
    }),
  );
