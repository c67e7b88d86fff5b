import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { scanMultipartModel } from './multipart-model.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const B = 'b0und';

function outcome(text: string): string {
  const found = scanMultipartModel(bytes(text), B);
  return found.kind === 'model' ? `model:${found.model}` : found.kind === 'none' ? 'none' : found.code;
}

/**
 * The definition, on text (RFC 2046 §5.1.1 strictly, RFC 7578): split at CRLF--boundary; nothing before the first
 * delimiter, "--" (and a CRLF at most) after the last; each part CRLF, header lines, a blank line, the value (no bare CR or LF in a header line);
 * exactly one Content-Disposition: form-data with a name; model once, not a file, non-empty.
 */
function definition(text: string): string {
  const pieces = `\r\n${text}`.split(`\r\n--${B}`);
  if (pieces.length < 3 || pieces[0] !== '') return 'unreadable_body';
  const last = pieces.pop() as string;
  if (last !== '--' && last !== '--\r\n') return 'unreadable_body';
  const models: string[] = [];
  let files = 0;
  for (const piece of pieces.slice(1)) {
    if (!piece.startsWith('\r\n')) return 'unreadable_body';
    const blank = piece.indexOf('\r\n\r\n');
    if (blank < 2) return 'unreadable_body';
    const lines = piece.slice(2, blank).split('\r\n');
    const dispositions = lines.filter((line) => /^content-disposition:/i.test(line));
    if (lines.some((line) => !/^[A-Za-z-]+:[^\r\n]*$/.test(line)) || dispositions.length !== 1)
      return 'unreadable_body';
    const params = /^content-disposition:\s*form-data((?:\s*;\s*[a-z0-9-]+\s*=\s*"[^"\r\n]*")*)\s*$/i.exec(
      dispositions[0] as string,
    );
    if (params === null) return 'unreadable_body';
    const names = [...(params[1] as string).matchAll(/([a-z0-9-]+)\s*=\s*"([^"]*)"/gi)];
    const keys = names.map((match) => (match[1] as string).toLowerCase());
    if (new Set(keys).size !== keys.length || !keys.includes('name')) return 'unreadable_body';
    const name = names.find((match) => (match[1] as string).toLowerCase() === 'name')?.[2];
    if (name === 'model') {
      models.push(piece.slice(blank + 4));
      if (keys.includes('filename')) files++;
    }
  }
  if (models.length === 0) return 'none';
  if (models.length > 1 || files > 0 || models[0] === '') return 'invalid_model';
  return `model:${models[0]}`;
}

const part = (disposition: string, value: string) =>
  `--${B}\r\nContent-Disposition: ${disposition}\r\n\r\n${value}\r\n`;

describe('scanMultipartModel', () => {
  it('reads the model field, before or after a binary file, and where its value lies', () => {
    const text = `${part('form-data; name="file"; filename="a.wav"', `\u0000\r\n-${B}\r\n--x`)}${part('form-data; name=model', 'whisper-1')}--${B}--\r\n`;
    const found = scanMultipartModel(bytes(text), B);
    expect(found).toMatchObject({ kind: 'model', model: 'whisper-1' });
    if (found.kind === 'model') expect(text.slice(found.start, found.end)).toBe('whisper-1');
  });

  it.each([
    ['a preamble', `x\r\n${part('form-data; name="model"', 'm')}--${B}--`, 'unreadable_body'],
    [
      'padding after a delimiter',
      `--${B} \r\nContent-Disposition: form-data; name="model"\r\n\r\nm\r\n--${B}--`,
      'unreadable_body',
    ],
    ['an epilogue', `${part('form-data; name="model"', 'm')}--${B}--\r\nmore`, 'unreadable_body'],
    ['no close delimiter', part('form-data; name="model"', 'm'), 'unreadable_body'],
    [
      'a folded header',
      `--${B}\r\nContent-Disposition: form-data;\r\n name="model"\r\n\r\nm\r\n--${B}--`,
      'unreadable_body',
    ],
    ['name*=', `${part("form-data; name*=UTF-8''model", 'm')}--${B}--`, 'unreadable_body'],
    ['name twice', `${part('form-data; name="x"; name="model"', 'm')}--${B}--`, 'unreadable_body'],
    [
      'model twice',
      `${part('form-data; name="model"', 'a')}${part('form-data; name="model"', 'b')}--${B}--`,
      'invalid_model',
    ],
    ['model as a file', `${part('form-data; name="model"; filename="m"', 'a')}--${B}--`, 'invalid_model'],
    ['an empty model', `${part('form-data; name="model"', '')}--${B}--`, 'invalid_model'],
    ['a model with a line break', `${part('form-data; name="model"', 'a\r\nb')}--${B}--`, 'model:a\r\nb'],
    ['no model', `${part('form-data; name="language"', 'en')}--${B}--`, 'none'],
  ])('%s', (_name, text, expected) => {
    expect(outcome(text)).toBe(expected);
  });

  it('refuses a model part with an encoding or another charset', () => {
    const encoded = `--${B}\r\nContent-Disposition: form-data; name="model"\r\nContent-Transfer-Encoding: base64\r\n\r\nbQ==\r\n--${B}--`;
    expect(outcome(encoded)).toBe('invalid_model');
    const utf16 = `--${B}\r\nContent-Disposition: form-data; name="model"\r\nContent-Type: text/plain; charset=utf-16\r\n\r\nm\r\n--${B}--`;
    expect(outcome(utf16)).toBe('invalid_model');
  });

  it('agrees with the definition on thousands of seeded random forms, valid and broken', () => {
    const random = mulberry32(0xf0f0);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
    const dispositions = [
      'form-data; name="model"',
      'form-data; name="file"; filename="a"',
      'form-data; name="model"; filename="a"',
      'form-data; name="language"',
      'form-data;name="model"',
      'form-data',
      'attachment; name="model"',
    ];
    const values = ['whisper-1', '', 'm', `-${B}`, '\r\n', `x\r\n--${B}x`, '--'];
    const noise = ['\r', '\n', '\r\n', '-', '--', B, ' ', ':', '"', ';'];
    let seen = { model: 0, none: 0, refused: 0 };
    for (let run = 0; run < 4000; run++) {
      let text = '';
      for (let i = 0, parts = 1 + Math.floor(random() * 3); i < parts; i++) {
        text += part(pick(dispositions), pick(values));
      }
      text += pick([`--${B}--`, `--${B}--\r\n`]);
      if (random() < 0.35) {
        const at = Math.floor(random() * (text.length + 1));
        text = text.slice(0, at) + pick(noise) + text.slice(at + (random() < 0.5 ? 1 : 0));
      }
      const expected = definition(text);
      expect(outcome(text), JSON.stringify(text)).toBe(expected);
      seen = {
        ...seen,
        [expected.startsWith('model') ? 'model' : expected === 'none' ? 'none' : 'refused']: 1,
      };
    }
    expect(seen).toEqual({ model: 1, none: 1, refused: 1 });
  });
});
