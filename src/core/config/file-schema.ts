import * as z from 'zod/mini';
import { clientKeysList, keyEntry, originsList } from './access.js';
import { endpointsList } from './endpoints.js';
import { fallbackTable, hostName, providerEntry, strategyEnum } from './fields.js';
import { numberFields } from './settings.js';

/**
 * The config file (`GATEWAY_CONFIG_FILE` on Node, `GATEWAY_CONFIG` anywhere): what the environment variables
 * say, structured. `npm run schema` publishes it as JSON Schema (`schema/gateway.config.schema.json`) from this
 * same schema, so types, bounds, enums and patterns agree. What JSON Schema does not express is checked here
 * only: unique ids, URLs, token or tokenEnv, "*" alone among keys, origins (file-schema.test.ts lists them).
 */
export const configFileSchema = z
  .strictObject({
    $schema: z.optional(z.string().check(z.describe('The JSON Schema this file follows (for editors).'))),
    providers: z.optional(
      z
        .array(providerEntry, 'must be an array of providers')
        .check(
          z.describe(
            'Upstream OpenAI-compatible providers; environment providers with the same id replace these.',
          ),
        ),
    ),
    modelFallbacks: z.optional(
      fallbackTable.check(z.describe('Per model, the models to try in order when all its providers fail.')),
    ),
    loadBalancerStrategy: z.optional(
      strategyEnum.check(
        z.describe('How requests are spread over providers. Environment: LOAD_BALANCER_STRATEGY.'),
      ),
    ),
    proxyApiKeys: z.optional(clientKeysList),
    keys: z.optional(
      z
        .array(keyEntry, 'must be an array of {"name", "key" | "keyEnv" | "keySha256"}')
        .check(z.describe('Named client keys: logs, /stats and /metrics show the name, never the key.')),
    ),
    corsAllowedOrigins: z.optional(originsList),
    prices: z.optional(
      z
        .record(
          z.string().check(z.minLength(1, 'must not be empty')),
          z.strictObject({
            input: z.number().check(z.minimum(0, 'must be 0 or more')),
            cachedInput: z.optional(z.number().check(z.minimum(0, 'must be 0 or more'))),
            output: z.number().check(z.minimum(0, 'must be 0 or more')),
          }),
          'must be an object of {"model": {"input", "cachedInput", "output"}} (USD per million tokens)',
        )
        .check(
          z.describe(
            'Per model, USD per million tokens (input, cached input, output): records and metrics then carry cost.',
          ),
        ),
    ),
    allowedPaths: z.optional(endpointsList),
    host: z.optional(hostName.check(z.describe('Node: the address to listen on. Environment: HOST.'))),
    ...numberFields,
  })
  .check(
    z.superRefine((file, ctx) => {
      const seen = new Set<string>();
      for (const [index, provider] of (file.providers ?? []).entries()) {
        if (seen.has(provider.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['providers', index, 'id'],
            message: `duplicate id "${provider.id}"`,
          });
        }
        seen.add(provider.id);
      }
    }),
  );

/** A config file as parsed: validated and normalised. */
export type ConfigFile = z.output<typeof configFileSchema>;

/**
 * The published JSON Schema of the config file, generated from {@link configFileSchema}.
 *
 * @example
 * JSON.stringify(configFileJsonSchema(), null, 2); // what `npm run schema` writes
 */
export function configFileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'OpenAI gateway configuration',
  };
}
