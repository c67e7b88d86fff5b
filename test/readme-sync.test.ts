import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/core/config/schema.js';
import { numberSettings } from '../src/core/config/settings.js';
import { githubAnchor, readmeDrift, readmeOutline } from './readme-outline.js';

const read = (name: string) => readFileSync(fileURLToPath(new URL(`../${name}`, import.meta.url)), 'utf8');
const english = read('README.md');
const chinese = read('README.zh-CN.md');

/** The object schema's keys: zod/mini keeps them in `_zod.def.shape`. */
type ObjectSchema = {
  readonly _zod: { readonly def: { readonly shape: Readonly<Record<string, unknown>> } };
};

/** Every environment variable the configuration schema reads. */
const schemaVariables = Object.keys(
  ((configSchema._zod.def.in as unknown as ObjectSchema)._zod.def.shape.env as ObjectSchema)._zod.def.shape,
);

/** The text with its first line matching `pattern` removed, failing loudly if there is none. */
function without(text: string, pattern: RegExp): string {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => pattern.test(line));
  if (index === -1) throw new Error(`no line matches ${pattern}`);
  return [...lines.slice(0, index), ...lines.slice(index + 1)].join('\n');
}

describe('README.md and README.zh-CN.md', () => {
  it('link to each other at the top', () => {
    expect(english.split('\n').slice(0, 4).join('\n')).toContain('](README.zh-CN.md)');
    expect(chinese.split('\n').slice(0, 4).join('\n')).toContain('](README.md)');
  });

  it('are in step: the same sections, configuration variables and code blocks', () => {
    expect(readmeDrift(english, chinese)).toEqual([]);
    expect(readmeOutline(chinese).headings.length).toBeGreaterThanOrEqual(15);
  });

  it('document every variable of the configuration schema in a table', () => {
    const variables = readmeOutline(english).variables;
    expect(schemaVariables).toContain('DEFAULT_OPENAI_PROVIDER');
    for (const { env } of Object.values(numberSettings)) expect(schemaVariables).toContain(env);
    for (const name of [...schemaVariables, 'GATEWAY_CONFIG', 'GATEWAY_CONFIG_FILE']) {
      expect(variables, `${name} is not in a README table`).toContain(name);
    }
  });

  it('stay under 350 lines each', () => {
    expect(english.split('\n').length).toBeLessThan(350);
    expect(chinese.split('\n').length).toBeLessThan(350);
  });
});

describe('the README drift check', () => {
  it('finds a section missing from the translation', () => {
    const drift = readmeDrift(english, without(chinese, /^### /));
    expect(drift.join('\n')).toMatch(/headings differ from position \d+/);
  });

  it('finds a section added to the original only', () => {
    const drift = readmeDrift(`${english}\n## Usage and metrics\n`, chinese);
    expect(drift.join('\n')).toMatch(/headings differ/);
  });

  it('finds a configuration variable missing from either side', () => {
    expect(readmeDrift(english, without(chinese, /^\| `PORT`\s/))).toContain(
      'variable PORT missing in translation',
    );
    expect(readmeDrift(without(english, /^\| `HOST`\s/), chinese)).toContain(
      'variable HOST missing in original',
    );
  });

  it('finds a changed or missing code block', () => {
    const changed = chinese.replace('npm ci\n', 'npm install\n');
    expect(changed).not.toBe(chinese);
    expect(readmeDrift(english, changed).join('\n')).toMatch(/code block \d+ differs/);
    const dropped = chinese.replace(/```ini\n[\s\S]*?```\n/, '');
    expect(readmeDrift(english, dropped).join('\n')).toMatch(/\d+ code blocks against \d+/);
  });

  it('finds an in-page link without its heading', () => {
    const broken = chinese.replace('](#配置文件)', '](#config-file)');
    expect(broken).not.toBe(chinese);
    expect(readmeDrift(english, broken)).toContain('translation: link to #config-file has no heading');
  });

  it("gives headings GitHub's anchors", () => {
    expect(githubAnchor('Providers and model routing')).toBe('providers-and-model-routing');
    expect(githubAnchor('OpenAI SDKs (JavaScript, Python)')).toBe('openai-sdks-javascript-python');
    expect(githubAnchor('配置文件')).toBe('配置文件');
    expect(githubAnchor('OpenAI SDK（JavaScript、Python）')).toBe('openai-sdkjavascriptpython');
  });
});
