import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { MAX_JSON_DEPTH, scanJsonModel } from './json-model.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const scan = (text: string) => scanJsonModel(bytes(text));

/** Top-level keys of valid JSON text, in order, duplicates kept: each value is the shortest text JSON.parse takes. */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let i = text.indexOf('{') + 1;
  const space = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  space();
  if (text[i] === '}') return keys;
  for (;;) {
    space();
    const key = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i))?.[0] as string;
    keys.push(JSON.parse(key) as string);
    i += key.length;
    space();
    i += 1; // ':'
    let end = i + 1;
    while (!isValue(text.slice(i, end)) || !/^\s*[,}]/.test(text.slice(end))) end++;
    i = end;
    space();
    if (text[i] === '}') return keys;
    i += 1; // ','
  }
}

function isValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The definition: what JSON.parse reads, refused when invalid, when `model` is there twice or is no non-empty string. */
function definition(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'unreadable_body';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'none';
  const count = topLevelKeys(text).filter((key) => key === 'model').length;
  if (count === 0) return 'none';
  if (count > 1) return 'invalid_model';
  const model = (parsed as { model: unknown }).model;
  return typeof model === 'string' && model !== '' ? `model:${model}` : 'invalid_model';
}

function outcome(text: string): string {
  const found = scan(text);
  return found.kind === 'model' ? `model:${found.model}` : found.kind === 'none' ? 'none' : found.code;
}

describe('scanJsonModel', () => {
  it('finds the top-level model and where its value lies', () => {
    const text = '{"messages":[{"model":"inner"}], "model" : "gpt-4o"}';
    const found = scan(text);
    expect(found).toMatchObject({ kind: 'model', model: 'gpt-4o' });
    if (found.kind === 'model') expect(text.slice(found.start, found.end)).toBe('"gpt-4o"');
  });

  it('reads keys and values as decoded: an escaped key is still model', () => {
    expect(outcome('{"mod\\u0065l":"a\\u0062"}')).toBe('model:ab');
    expect(outcome('{"model":"a","mod\\u0065l":"b"}')).toBe('invalid_model');
  });

  it.each([
    ['{"model":"a","model":"b"}', 'invalid_model'],
    ['{"model":42}', 'invalid_model'],
    ['{"model":null}', 'invalid_model'],
    ['{"model":""}', 'invalid_model'],
    ['{"model":["a"]}', 'invalid_model'],
    ['{"model":"a"', 'unreadable_body'],
    ['{"model":"a"}x', 'unreadable_body'],
    ["{'model':'a'}", 'unreadable_body'],
    ['{"model":"a",}', 'unreadable_body'],
    ['{"model":"a"} // c', 'unreadable_body'],
    ['\ufeff{"model":"a"}', 'unreadable_body'],
    ['{"model":"a\u0001"}', 'unreadable_body'],
    ['{"model":"a","n":01}', 'unreadable_body'],
    ['   ', 'unreadable_body'],
    ['[{"model":"a"}]', 'none'],
    ['{"input":"x"}', 'none'],
  ])('%s: %s', (text, expected) => {
    expect(outcome(text)).toBe(expected);
  });

  it('refuses a model longer than the cap, and invalid UTF-8 in it', () => {
    expect(outcome(`{"model":"${'m'.repeat(257)}"}`)).toBe('invalid_model');
    expect(outcome(`{"model":"${'m'.repeat(256)}"}`)).toBe(`model:${'m'.repeat(256)}`);
    expect(scanJsonModel(new Uint8Array([...bytes('{"model":"a'), 0xff, ...bytes('"}')]))).toMatchObject({
      code: 'invalid_model',
    });
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels without recursion`, () => {
    expect(
      outcome(`{"model":"a","x":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`),
    ).toBe('model:a');
    expect(outcome(`{"model":"a","x":${'['.repeat(1_000_000)}`)).toBe('unreadable_body');
  });

  it('scans a large body in one pass, strings included', () => {
    const big = `{"messages":[{"content":"${'x\\"'.repeat(3_000_000)}"}],"model":"m"}`;
    expect(outcome(big)).toBe('model:m');
  });

  it('agrees with the definition on thousands of seeded random bodies, valid and broken', () => {
    const random = mulberry32(0x150e);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
    const keys = ['"model"', '"mod\\u0065l"', '"x"', '"m"', '"\\"model"'];
    const scalars = ['"gpt"', '""', '1', '-0.5e3', 'true', 'null', '"a\\"b"', '"\\u00e9"', '"model"'];
    const value = (depth: number): string => {
      const roll = random();
      if (depth > 2 || roll < 0.5) return pick(scalars);
      if (roll < 0.75)
        return `[${Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1)).join(',')}]`;
      return object(depth + 1);
    };
    const object = (depth: number): string =>
      `{${Array.from({ length: Math.floor(random() * 4) }, () => `${pick(keys)}${pick(['', ' '])}:${value(depth)}`).join(',')}}`;
    const noise = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', 'x', '1', '\n'];
    let seen = { model: 0, none: 0, refused: 0 };
    for (let run = 0; run < 4000; run++) {
      let text = random() < 0.9 ? object(0) : value(0);
      if (random() < 0.3) {
        const at = Math.floor(random() * (text.length + 1));
        const cut = random() < 0.5 ? 1 : 0;
        text = text.slice(0, at) + pick(noise) + text.slice(at + cut);
      }
      const expected = definition(text);
      expect(outcome(text), text).toBe(expected);
      seen = {
        ...seen,
        [expected.startsWith('model') ? 'model' : expected === 'none' ? 'none' : 'refused']: 1,
      };
    }
    expect(seen).toEqual({ model: 1, none: 1, refused: 1 });
  });
});
