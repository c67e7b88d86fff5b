import type { z } from 'zod';
import { ConfigError } from '../errors/gateway-error.js';
import { type Config, configSchema } from './schema.js';

/** `["ADDITIONAL_PROVIDERS", 1, "weight"]` -> `ADDITIONAL_PROVIDERS[1].weight` */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part, index) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return index === 0 ? String(part) : `${text}.${String(part)}`;
  }, '');
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const message = /received undefined$/.test(issue.message) ? 'is required' : issue.message;
  return `${formatPath(issue.path)}: ${message}`;
}

/**
 * Validates environment-style variables into a {@link Config}. Call it once at start (per isolate on Workers).
 * Throws a {@link ConfigError} whose one-line message names each bad variable and never its value.
 *
 * @example
 * const config = parseConfig({ DEFAULT_OPENAI_PROVIDER: 'https://api.fireworks.ai/inference', DEFAULT_OPENAI_TOKEN: 'fw_…' });
 * config.providers[0]; // { id: 'default', baseUrl: 'https://api.fireworks.ai/inference', token: 'fw_…', weight: 1 }
 */
export function parseConfig(env: Readonly<Record<string, unknown>>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid configuration: ${result.error.issues.map(formatIssue).join('; ')}`);
}
