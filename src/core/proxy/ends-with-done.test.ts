import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { endsWithDone } from './ends-with-done.js';

const bytes = (text: string) => new TextEncoder().encode(text);
/** The definition, on text. */
const DONE = /data:[ \t]*\[DONE\][ \t]*(?:\r?\n)*$/;

describe('endsWithDone', () => {
  it.each(['data: [DONE]\n\n', 'data:[DONE]', 'x\r\ndata: \t[DONE] \r\n\r\n\n', 'data: [DONE]'])(
    'finds the [DONE] line at the end, with any line endings and blanks: %j',
    (text) => {
      expect(endsWithDone(bytes(text))).toBe(true);
    },
  );

  it.each(['data: [DONE]\n\ndata: {}\n\n', 'data: [DONE]\r', 'event: [DONE]\n', '[DONE]\n', ''])(
    'does not take [DONE] followed by more, a bare CR, or another field for the end: %j',
    (text) => {
      expect(endsWithDone(bytes(text))).toBe(false);
    },
  );

  it('agrees with the definition on text for random endings', () => {
    const random = mulberry32(0xd0e);
    const parts = ['data:', ' ', '\t', '[DONE]', '\n', '\r', '\r\n', 'x', 'a:', '[DONE', 'é'];
    for (let run = 0; run < 5000; run++) {
      let text = '';
      const length = Math.floor(random() * 8);
      for (let i = 0; i < length; i++) text += parts[Math.floor(random() * parts.length)];
      expect(endsWithDone(bytes(text)), JSON.stringify(text)).toBe(DONE.test(text));
    }
  });
});
