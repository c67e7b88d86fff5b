import * as z from 'zod/mini';
import {
  baseUrl,
  bearerToken,
  commaList,
  envValue,
  integerString,
  modelFallbacks,
  providerList,
  strategyName,
} from './fields.js';

/** The id the seed gives the provider named by `DEFAULT_OPENAI_PROVIDER`. */
export const DEFAULT_PROVIDER_ID = 'default';
/** The built-in provider served when none is configured. */
export const DEMO_PROVIDER = {
  id: 'demo',
  baseUrl: 'http://demo.invalid',
  token: undefined,
  weight: 1,
  models: undefined,
  aliases: undefined,
} as const;

const MIB = 1024 * 1024;

const clientKeys = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const keys = commaList(value);
    // Only separators (" , "): as good as empty, which counts as unset.
    if (keys.length === 0) return { kind: 'unset' as const };
    if (keys.length === 1 && keys[0] === '*') return { kind: 'any' as const };
    if (keys.includes('*')) {
      ctx.issues.push({
        code: 'custom',
        message: 'use "*" alone (any key) or a list of keys, not both',
        input: '',
      });
    } else if (keys.some((key) => !/^[\x21-\x7e]+$/.test(key))) {
      ctx.issues.push({ code: 'custom', message: 'keys must be printable ASCII without spaces', input: '' });
    } else {
      return { kind: 'list' as const, keys };
    }
    return z.NEVER;
  }),
);

const corsOrigins = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const origins = commaList(value);
    if (origins.length === 1 && origins[0] === '*') return '*' as const;
    const normalised: string[] = [];
    for (const [index, origin] of origins.entries()) {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {}
      if (!url || url.origin === 'null' || url.origin !== origin.replace(/\/$/, '')) {
        ctx.issues.push({
          code: 'custom',
          // Not quoted: a mistyped entry may hold credentials, or span lines.
          message: `entry ${index + 1} is not an origin like https://app.example.com (or use "*" alone)`,
          input: '',
        });
        return z.NEVER;
      }
      normalised.push(url.origin);
    }
    return normalised;
  }),
);

const variables = z
  .object({
    DEFAULT_OPENAI_PROVIDER: envValue(baseUrl),
    DEFAULT_OPENAI_TOKEN: envValue(bearerToken),
    ADDITIONAL_PROVIDERS: envValue(providerList),
    MODEL_FALLBACKS: envValue(modelFallbacks),
    PROXY_API_KEYS: envValue(clientKeys),
    LOAD_BALANCER_STRATEGY: envValue(strategyName),
    CORS_ALLOWED_ORIGINS: envValue(corsOrigins),
    MAX_BODY_BYTES: envValue(integerString({ min: 1, max: 1024 * MIB })),
    UPSTREAM_HEADERS_TIMEOUT_MS: envValue(integerString({ min: 1, max: 3_600_000 })),
    REQUEST_TIMEOUT_MS: envValue(integerString({ min: 1, max: 24 * 3_600_000 })),
    FIRST_TOKEN_TIMEOUT_MS: envValue(integerString({ min: 1, max: 3_600_000 })),
    STREAM_IDLE_TIMEOUT_MS: envValue(integerString({ min: 1, max: 3_600_000 })),
    MAX_ATTEMPTS: envValue(integerString({ min: 1, max: 20 })),
    BREAKER_FAILURE_THRESHOLD: envValue(integerString({ min: 1, max: 1000 })),
    BREAKER_COOLDOWN_MS: envValue(integerString({ min: 1, max: 3_600_000 })),
    BREAKER_MAX_COOLDOWN_MS: envValue(integerString({ min: 1, max: 24 * 3_600_000 })),
    SHUTDOWN_GRACE_MS: envValue(integerString({ min: 0, max: 3_600_000 })),
    HOST: envValue(z.string().check(z.regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address'))),
    PORT: envValue(integerString({ min: 0, max: 65_535 })),
  })
  .check(
    z.superRefine((env, ctx) => {
      if (env.DEFAULT_OPENAI_TOKEN !== undefined && env.DEFAULT_OPENAI_PROVIDER === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['DEFAULT_OPENAI_PROVIDER'],
          message: 'is required when DEFAULT_OPENAI_TOKEN is set',
        });
      }
      const seen = new Set(env.DEFAULT_OPENAI_PROVIDER === undefined ? [] : [DEFAULT_PROVIDER_ID]);
      for (const [index, provider] of (env.ADDITIONAL_PROVIDERS ?? []).entries()) {
        if (seen.has(provider.id)) {
          const why =
            provider.id === DEFAULT_PROVIDER_ID
              ? ' (the provider of DEFAULT_OPENAI_PROVIDER is "default")'
              : '';
          ctx.addIssue({
            code: 'custom',
            path: ['ADDITIONAL_PROVIDERS', index, 'id'],
            message: `duplicate id "${provider.id}"${why}`,
          });
        }
        seen.add(provider.id);
      }
    }),
  );

/**
 * The whole configuration, read from environment-style variables (Node's `process.env`, a Worker's `env`).
 * Keys are the variable names, so every validation problem names its variable.
 */
export const configSchema = z.pipe(
  variables,
  z.transform((env) => {
    const configured = [
      ...(env.DEFAULT_OPENAI_PROVIDER === undefined
        ? []
        : [
            {
              id: DEFAULT_PROVIDER_ID,
              baseUrl: env.DEFAULT_OPENAI_PROVIDER,
              token: env.DEFAULT_OPENAI_TOKEN,
              weight: 1,
              models: undefined as readonly string[] | undefined,
              aliases: undefined as Readonly<Record<string, string>> | undefined,
            },
          ]),
      ...(env.ADDITIONAL_PROVIDERS ?? []).map((provider) => ({
        id: provider.id,
        baseUrl: provider.baseUrl,
        token: provider.token,
        weight: provider.weight,
        models: provider.models as readonly string[] | undefined,
        aliases: provider.aliases as Readonly<Record<string, string>> | undefined,
      })),
    ];
    const demo = configured.length === 0;
    return {
      providers: demo ? [DEMO_PROVIDER] : configured,
      demo,
      modelFallbacks: (env.MODEL_FALLBACKS ?? {}) as Readonly<Record<string, readonly string[]>>,
      strategy: env.LOAD_BALANCER_STRATEGY ?? 'round-robin',
      clientKeys: env.PROXY_API_KEYS ?? { kind: 'unset' as const },
      corsOrigins: env.CORS_ALLOWED_ORIGINS ?? ('*' as const),
      maxBodyBytes: env.MAX_BODY_BYTES ?? 50 * MIB,
      upstreamHeadersTimeoutMs: env.UPSTREAM_HEADERS_TIMEOUT_MS ?? 30_000,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS ?? 300_000,
      firstTokenTimeoutMs: env.FIRST_TOKEN_TIMEOUT_MS ?? 15_000,
      streamIdleTimeoutMs: env.STREAM_IDLE_TIMEOUT_MS ?? 20_000,
      maxAttempts: env.MAX_ATTEMPTS ?? Math.max(2, demo ? 1 : configured.length),
      breaker: {
        failureThreshold: env.BREAKER_FAILURE_THRESHOLD ?? 3,
        cooldownMs: env.BREAKER_COOLDOWN_MS ?? 5_000,
        maxCooldownMs: Math.max(env.BREAKER_MAX_COOLDOWN_MS ?? 120_000, env.BREAKER_COOLDOWN_MS ?? 5_000),
      },
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS ?? 10_000,
      host: env.HOST ?? '127.0.0.1',
      port: env.PORT ?? 8787,
    };
  }),
);

/** The parsed, validated configuration. Build it with `parseConfig`; never mutate it. */
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = Config['providers'][number];
export type ClientKeys = Config['clientKeys'];
