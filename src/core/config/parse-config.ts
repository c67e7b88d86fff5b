import type * as z from 'zod/mini';
import { ConfigError } from '../errors/gateway-error.js';
import { type Config, configSchema } from './schema.js';

/** `["ADDITIONAL_PROVIDERS", 1, "weight"]` -> `ADDITIONAL_PROVIDERS[1].weight` */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part, index) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return index === 0 ? String(part) : `${text}.${String(part)}`;
  }, '');
}

/** What zod/mini, which ships no message texts, says for an issue whose schema gave none. */
const GENERIC = 'Invalid input';

/** The generic kinds of issue are worded here; every other issue carries its schema's own message. */
function describe(issue: z.core.$ZodIssue): string {
  if (issue.message !== GENERIC) return issue.message;
  if (issue.code === 'invalid_type') {
    return issue.input === undefined
      ? 'is required'
      : `must be ${issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  }
  return 'is invalid';
}

/**
 * Validates environment-style variables (`process.env`, a Worker's `env`) into a {@link Config}. Call it once
 * at start (per isolate on Workers). Throws a {@link ConfigError} whose one-line message names each bad
 * variable and never its value.
 *
 * @example
 * const config = parseConfig({ DEFAULT_OPENAI_PROVIDER: 'https://api.fireworks.ai/inference', DEFAULT_OPENAI_TOKEN: 'fw_…' });
 * config.providers[0]; // { id: 'default', baseUrl: 'https://api.fireworks.ai/inference', token: 'fw_…', weight: 1 }
 */
export function parseConfig(env: object): Config {
  // reportInput lets `describe` tell a missing value from a wrong one; inputs are never put in a message.
  const result = configSchema.safeParse(env, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describe(issue)}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
