import { describe, expect, it } from 'vitest';
import { jsonFields } from './json-fields.js';

/** What jsonFields must equal: JSON.stringify's members, braces cut off. */
const members = (record: Record<string, unknown>) => JSON.stringify(record).slice(1, -1);

describe('jsonFields', () => {
  it('writes a request log line exactly as JSON.stringify does', () => {
    const record = {
      level: 'info',
      msg: 'request',
      requestId: '2b0c7a52-7d57-4c1e-9b8e-0d8f5b1b7a11',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      provider: null,
      attempts: 1,
      durationMs: 3,
    };
    expect(jsonFields(record)).toBe(members(record));
  });

  it.each<[string, unknown]>([
    ['a quote and a backslash', 'say "hi" \\ bye'],
    ['control characters', 'line\nbreak\ttab\u0000nul\u001f\u007f'],
    ['non-ASCII', 'héllo 日本 😀'],
    ['a lone surrogate', 'broken \ud800 pair'],
    ['the empty string', ''],
    ['a U+2028 line separator', 'a\u2028b'],
    ['negative zero', -0],
    ['a fraction', 0.1 + 0.2],
    ['a large number', 1e21],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an array', [1, 'two', null, undefined]],
    ['a nested object', { inner: { deep: 'x"y' }, skipped: undefined }],
    ['a Date (toJSON)', new Date(0)],
  ])('writes %s as JSON.stringify does', (_, value) => {
    const record = { level: 'warn', value, after: 1 };
    expect(jsonFields(record)).toBe(members(record));
    expect(JSON.parse(`{${jsonFields(record)}}`)).toEqual(JSON.parse(JSON.stringify(record)));
  });

  it('leaves out undefined, functions and symbols, first member included, as JSON.stringify does', () => {
    const record = { gone: undefined, fn: () => 1, sym: Symbol('s'), kept: 'yes', last: undefined };
    expect(jsonFields(record)).toBe('"kept":"yes"');
    expect(jsonFields({ only: undefined })).toBe('');
    expect(jsonFields({})).toBe('');
  });

  it('escapes keys that need it', () => {
    const record = { 'a"b': 1, 'new\nline': 2, plain: 3 };
    expect(jsonFields(record)).toBe(members(record));
  });

  it('stays exact past the bound on remembered keys', () => {
    for (let i = 0; i < 300; i++) {
      const record = { [`key${i}`]: i, [`k"${i}`]: `v${i}` };
      expect(jsonFields(record)).toBe(members(record));
    }
  });
});
