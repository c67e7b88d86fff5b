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
      : `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
  }
  if (issue.code === 'unrecognized_keys') {
    // Named only when it looks like a short identifier: a secret pasted where a key goes is not repeated.
    const names = issue.keys.map((key) =>
      /^[A-Za-z_$][A-Za-z0-9_$]{0,31}$/.test(key) ? `"${key}"` : '(not a name)',
    );
    return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${names.join(', ')}`;
  }
  return 'is invalid';
}

/** A config file handed over by the runtime: its contents (JSON text or an object) and how to name it. */
export interface ConfigFileSource {
  /** How messages name the file, e.g. `GATEWAY_CONFIG_FILE (./gateway.json)`. */
  readonly label: string;
  readonly value: unknown;
}

export interface ParseConfigOptions {
  /** The config file, read by the runtime (the core reads no files). `GATEWAY_CONFIG` is used without it. */
  readonly file?: ConfigFileSource | undefined;
}

/** The config file to use: the runtime's, or the `GATEWAY_CONFIG` variable's JSON; never both. */
function fileSource(env: Readonly<Record<string, unknown>>, given: ConfigFileSource | undefined) {
  const inline =
    typeof env.GATEWAY_CONFIG === 'string' ? env.GATEWAY_CONFIG.trim() || undefined : env.GATEWAY_CONFIG;
  if (given !== undefined && inline !== undefined) {
    throw new ConfigError(`Invalid configuration: GATEWAY_CONFIG: set it or ${given.label}, not both`);
  }
  if (
    given === undefined &&
    typeof env.GATEWAY_CONFIG_FILE === 'string' &&
    env.GATEWAY_CONFIG_FILE.trim() !== ''
  ) {
    throw new ConfigError(
      'Invalid configuration: GATEWAY_CONFIG_FILE: files cannot be read on this runtime; give the JSON as GATEWAY_CONFIG',
    );
  }
  return given ?? (inline === undefined ? undefined : { label: 'GATEWAY_CONFIG', value: inline });
}

/**
 * Validates environment-style variables (`process.env`, a Worker's `env`), and a config file if there is one,
 * into a {@link Config}: defaults, then the file, then each variable set in the environment. Call it once at
 * start (per isolate on Workers). Throws a {@link ConfigError} whose one-line message names each bad variable
 * or file field (`GATEWAY_CONFIG_FILE (gw.json) providers[2].models[0]: must not be empty`), never a value.
 *
 * @example
 * const config = parseConfig({ DEFAULT_OPENAI_PROVIDER: 'https://api.fireworks.ai/inference', DEFAULT_OPENAI_TOKEN: 'fw_…' });
 * config.providers[0]; // { id: 'default', baseUrl: 'https://api.fireworks.ai/inference', token: 'fw_…', weight: 1 }
 * parseConfig(process.env, { file: { label: 'GATEWAY_CONFIG_FILE (gw.json)', value: '{"providers":[…]}' } });
 */
export function parseConfig(env: object, options: ParseConfigOptions = {}): Config {
  const file = fileSource(env as Readonly<Record<string, unknown>>, options.file);
  // reportInput lets `describe` tell a missing value from a wrong one; inputs are never put in a message.
  const result = configSchema.safeParse({ env, raw: env, file: file?.value }, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const [source, ...path] = issue.path;
    const where =
      source === 'file'
        ? `${file?.label ?? 'GATEWAY_CONFIG'} ${formatPath(path)}`.trimEnd()
        : formatPath(path);
    return `${where}: ${describe(issue)}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
