import { matchesAny } from './glob.js';

/** Whether a provider serves a model; undefined means it serves any model. */
export type ModelMatcher = ((model: string) => boolean) | undefined;

/**
 * Builds the check for a provider's `models`: exact names, and globs where `*` stands for any run of
 * characters (`accounts/fireworks/models/*`), matched in linear time ({@link matchesAny}). Without a list the
 * provider serves every model (the seed's behaviour). Built once per provider.
 *
 * @example
 * const serves = modelMatcher(['gpt-4o', 'llama-*']);
 * serves?.('llama-3.1-70b'); // true
 */
export function modelMatcher(models: readonly string[] | undefined): ModelMatcher {
  return models === undefined ? undefined : matchesAny(models);
}
