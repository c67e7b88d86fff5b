import * as z from 'zod/mini';
import { clientKeysText, originsText } from './access.js';
import {
  baseUrl,
  bearerToken,
  databasePath,
  envValue,
  hostName,
  jsonText,
  modelFallbacks,
  providerList,
  redisUrl,
  storeFailMode,
  strategyName,
} from './fields.js';
import { configFileSchema } from './file-schema.js';
import { DEFAULT_PROVIDER_ID, resolveConfig } from './resolve-config.js';
import { numberVariables } from './settings.js';

/** The environment variables the gateway reads (Node's `process.env`, a Worker's `env`). */
const variables = z
  .object({
    DEFAULT_OPENAI_PROVIDER: envValue(baseUrl),
    DEFAULT_OPENAI_TOKEN: envValue(bearerToken),
    ADDITIONAL_PROVIDERS: envValue(providerList),
    MODEL_FALLBACKS: envValue(modelFallbacks),
    PROXY_API_KEYS: envValue(clientKeysText),
    LOAD_BALANCER_STRATEGY: envValue(strategyName),
    CORS_ALLOWED_ORIGINS: envValue(originsText),
    HOST: envValue(hostName),
    GATEWAY_DB: envValue(databasePath),
    REDIS_URL: envValue(redisUrl),
    STORE_FAIL_MODE: envValue(storeFailMode),
    ...numberVariables,
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
      if (env.GATEWAY_DB !== undefined && env.REDIS_URL !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['REDIS_URL'],
          message: 'set GATEWAY_DB (SQLite, one process) or REDIS_URL (shared by every process), not both',
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
 * The whole configuration: environment variables (`env`) over an optional config file (`file`: JSON text, or
 * an object already parsed). Issue paths start with `env` or `file`, then name the variable or the file's field.
 */
export const configSchema = z.pipe(
  z.object({
    env: variables,
    // The environment as given, for the variables a provider's `tokenEnv` names (any of them, parsed or not).
    // Not z.record: process.env and a Worker's env are not plain objects.
    raw: z.custom<Readonly<Record<string, unknown>>>((value) => typeof value === 'object' && value !== null),
    file: z.optional(
      z.pipe(jsonText('an object like {"providers":[{"id":"a","baseUrl":"https://…"}]}'), configFileSchema),
    ),
  }),
  z.transform((input, ctx) =>
    resolveConfig({ env: input.env, raw: input.raw, file: input.file, issues: ctx.issues }),
  ),
);

/** The parsed, validated configuration. Build it with `parseConfig`; never mutate it. */
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = Config['providers'][number];
export type { ClientKeys } from './access.js';
export { DEFAULT_PROVIDER_ID, DEMO_PROVIDER } from './resolve-config.js';
