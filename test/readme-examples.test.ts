import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/core/index.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
/** Every `ADDITIONAL_PROVIDERS='[...]'` example in the README. */
const examples = [...readme.matchAll(/ADDITIONAL_PROVIDERS='(\[[\s\S]*?\])'/g)].map(
  (match) => match[1] as string,
);

describe('the README configuration examples', () => {
  it('are there', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((example, index) => [index + 1, example]))(
    'example %i is a valid configuration',
    (_n, example) => {
      const config = parseConfig({ ADDITIONAL_PROVIDERS: example, PROXY_API_KEYS: 'k' });
      expect(config.providers.length).toBeGreaterThan(0);
      expect(config.demo).toBe(false);
    },
  );

  it('route the models they name', () => {
    const routed = examples
      .map((example) => parseConfig({ ADDITIONAL_PROVIDERS: example }))
      .find((config) => config.providers.some((provider) => provider.models !== undefined));
    expect(routed?.providers.map((provider) => provider.id)).toEqual(['fireworks', 'groq', 'local']);
  });
});
