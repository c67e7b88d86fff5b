import { readFileSync } from 'node:fs';
import { type Config, ConfigError, parseConfig } from '../core/index.js';

/**
 * The configuration on Node: the environment, over the JSON file named by `GATEWAY_CONFIG_FILE` if set
 * (relative to the working directory). Throws a {@link ConfigError} naming the variable or field at fault.
 *
 * @example
 * const config = loadNodeConfig(process.env); // GATEWAY_CONFIG_FILE=gateway.config.json npm start
 */
export function loadNodeConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const path = env.GATEWAY_CONFIG_FILE?.trim();
  if (path === undefined || path === '') return parseConfig(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
    throw new ConfigError(`Invalid configuration: GATEWAY_CONFIG_FILE: cannot read ${path} (${why})`);
  }
  // Editors on Windows may start the file with a byte-order mark, which is not JSON.
  const json = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return parseConfig(env, { file: { label: `GATEWAY_CONFIG_FILE (${path})`, value: json } });
}
