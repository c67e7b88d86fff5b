import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { answerUsage } from './answer-usage.js';
import { memberValue, topLevelMembers } from './json-members.js';

const encoder = new TextEncoder();
const KEYS = ['usage', 'model', 'stream'];

function randomValue(random: () => number, depth: number): unknown {
  const kind = Math.floor(random() * (depth > 2 ? 4 : 6));
  const strings = ['usage', '"usage":', 'a\\"b', '}', '{[', '\\', 'ü🎉', 'model', ''];
  if (kind === 0) return Math.floor(random() * 1e6) / (random() < 0.5 ? 1 : 7);
  if (kind === 1) return strings[Math.floor(random() * strings.length)];
  if (kind === 2) return random() < 0.5 ? null : random() < 0.5;
  if (kind === 3) return `${strings[Math.floor(random() * strings.length)]}x`;
  if (kind === 4)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  return randomObject(random, depth + 1);
}

function randomObject(random: () => number, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const names = [...KEYS, 'choices', 'id', 'x"y', 'us\\age'];
  for (let i = Math.floor(random() * 6); i > 0; i--) {
    object[names[Math.floor(random() * names.length)] as string] = randomValue(random, depth);
  }
  return object;
}

/** JSON.stringify's text with random blanks between tokens (outside strings), as other serialisers write. */
function spaced(value: unknown, random: () => number): string {
  const blank = () => [' ', '', '\n', '\t', '  ', '\r\n'][Math.floor(random() * 6)] as string;
  if (Array.isArray(value))
    return `[${blank()}${value.map((item) => spaced(item, random)).join(`${blank()},${blank()}`)}${blank()}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(
      ([key, item]) => `${JSON.stringify(key)}${blank()}:${blank()}${spaced(item, random)}`,
    );
    return `{${blank()}${members.join(`${blank()},${blank()}`)}${blank()}}`;
  }
  return JSON.stringify(value);
}

describe('topLevelMembers against JSON.parse', () => {
  it('finds exactly the top-level members JSON.parse sees, on 5000 seeded random objects', () => {
    const random = mulberry32(18);
    for (let round = 0; round < 5000; round++) {
      const object = randomObject(random, 0);
      const text = `${random() < 0.3 ? ' \n' : ''}${spaced(object, random)}`;
      const bytes = encoder.encode(text);
      const members = topLevelMembers(bytes, KEYS);
      expect(members).toBeDefined();
      const parsed = JSON.parse(text) as Record<string, unknown>;
      for (const key of KEYS) {
        expect(members?.found.has(key)).toBe(Object.hasOwn(parsed, key));
        if (Object.hasOwn(parsed, key))
          expect(memberValue(bytes, members?.found.get(key))).toEqual(parsed[key]);
      }
      expect(bytes[members?.open ?? -1]).toBe(0x7b);
    }
  });

  it('gives nothing for what is not an object', () => {
    expect(topLevelMembers(encoder.encode('[{"usage":1}]'), KEYS)).toBeUndefined();
    expect(topLevelMembers(encoder.encode(''), KEYS)).toBeUndefined();
  });
});

describe('answerUsage', () => {
  it.each([
    [
      'chat completion',
      {
        model: 'gpt-4o',
        choices: [],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 5,
          prompt_tokens_details: { cached_tokens: 3 },
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      },
      { inputTokens: 10, outputTokens: 5, cachedTokens: 3, reasoningTokens: 2, estimated: false },
    ],
    [
      'embeddings',
      { model: 'e', data: [], usage: { prompt_tokens: 7, total_tokens: 7 } },
      { inputTokens: 7, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, estimated: false },
    ],
    [
      'Responses API',
      {
        model: 'r',
        output: [{ usage: 'no' }],
        usage: { input_tokens: 4, output_tokens: 9, output_tokens_details: { reasoning_tokens: 6 } },
      },
      { inputTokens: 4, outputTokens: 9, cachedTokens: 0, reasoningTokens: 6, estimated: false },
    ],
  ])('reads a %s', (_name, body, usage) => {
    expect(answerUsage(encoder.encode(JSON.stringify(body)))).toEqual({ usage, model: body.model });
  });

  it('reads nothing from an answer without usage, or not JSON', () => {
    expect(answerUsage(encoder.encode('{"object":"list","data":[]}'))).toEqual({});
    expect(answerUsage(encoder.encode('not json'))).toEqual({});
    expect(answerUsage(encoder.encode('{"usage":{"foo":1}}'))).toEqual({});
  });
});
