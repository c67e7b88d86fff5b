/** Whether a provider serves a model; undefined means it serves any model. */
export type ModelMatcher = ((model: string) => boolean) | undefined;

/**
 * Builds the check for a provider's `models`: exact names, and globs where `*` stands for any run of
 * characters (`accounts/fireworks/models/*`). Without a list the provider serves every model (the seed's
 * behaviour). Built once per provider.
 *
 * @example
 * const serves = modelMatcher(['gpt-4o', 'llama-*']);
 * serves?.('llama-3.1-70b'); // true
 */
export function modelMatcher(models: readonly string[] | undefined): ModelMatcher {
  if (models === undefined) return undefined;
  const exact = new Set(models.filter((model) => !model.includes('*')));
  const globs = models
    .filter((model) => model.includes('*'))
    .map((glob) => new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`));
  return function serves(model) {
    return exact.has(model) || globs.some((glob) => glob.test(model));
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
