import { describe, expect, it } from 'vitest';
import { parseMediaType } from './media-type.js';
import { readRequestModel, withModel } from './request-model.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const json = (contentType: string | null, text: string, contentEncoding: string | null = null) =>
  readRequestModel({ contentType, contentEncoding }, bytes(text));

function multipart(fields: [string, string][], file: Uint8Array): Uint8Array {
  const boundary = '----b0undary';
  const parts: Uint8Array[] = [];
  for (const [name, value] of fields) {
    parts.push(bytes(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    bytes(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`),
    file,
  );
  parts.push(bytes(`\r\n--${boundary}--\r\n`));
  return new Uint8Array(Buffer.concat(parts));
}

describe('readRequestModel', () => {
  it('reads model from a JSON body, content types matched case-insensitively with parameters', () => {
    expect(json('application/json', '{"messages":[],"model":"gpt-4o"}')).toMatchObject({ model: 'gpt-4o' });
    expect(json('Application/JSON; Charset="UTF-8"', '{"model":"m"}')).toMatchObject({ model: 'm' });
    expect(json('application/json', '{"model":"m"}', 'identity')).toMatchObject({ model: 'm' });
  });

  it('names no model for an empty body or one without model', () => {
    expect(readRequestModel({ contentType: null, contentEncoding: null }, undefined)).toEqual({
      kind: 'none',
    });
    expect(json('application/json', '{"input":"x"}')).toEqual({ kind: 'none' });
    expect(json(null, '')).toEqual({ kind: 'none' });
  });

  it.each([
    ['text/plain', '{"model":"m"}', null],
    [null, '{"model":"m"}', null],
    ['application/x-www-form-urlencoded', 'model=m', null],
    ['application/jsonx', '{"model":"m"}', null],
    ['application/json, text/plain', '{"model":"m"}', null],
    ['application/json; charset=utf-16', '{"model":"m"}', null],
    ['application/json', '{"model":"m"}', 'gzip'],
    ['multipart/form-data', '--x\r\n', null],
    ['multipart/form-data; boundary=x', 'garbage', null],
    ['application/json', '{"model":', null],
  ])('refuses %s (%s, encoding %s) as unreadable', (contentType, text, encoding) => {
    expect(json(contentType, text, encoding)).toMatchObject({ kind: 'refused', code: 'unreadable_body' });
  });

  it('reads the model field of a multipart form', () => {
    const audio = new Uint8Array(10_000).map((_, i) => (i * 7) % 256);
    const body = multipart([['model', 'whisper-1']], audio);
    const headers = { contentType: 'Multipart/Form-Data; Boundary="----b0undary"', contentEncoding: null };
    expect(readRequestModel(headers, body)).toMatchObject({ model: 'whisper-1' });
    expect(readRequestModel(headers, multipart([['language', 'en']], audio))).toEqual({ kind: 'none' });
  });
});

describe('withModel', () => {
  it('replaces only the bytes of the model value of a JSON body', () => {
    const text = '{"model" : "a","messages":[{"role":"user","content":"é"}],"n":2.50}';
    const found = json('application/json', text);
    if (found.kind !== 'model') throw new Error('no model');
    expect(new TextDecoder().decode(withModel(bytes(text), found, 'b"c'))).toBe(
      '{"model" : "b\\"c","messages":[{"role":"user","content":"é"}],"n":2.50}',
    );
  });

  it('replaces only the model field bytes of a multipart form', () => {
    const audio = new Uint8Array(5000).map((_, i) => (i * 13) % 256);
    const body = multipart([['model', 'whisper-1']], audio);
    const headers = { contentType: 'multipart/form-data; boundary=----b0undary', contentEncoding: null };
    const found = readRequestModel(headers, body);
    if (found.kind !== 'model') throw new Error('no model');
    const out = withModel(body, found, 'whisper-large-v3');
    expect(readRequestModel(headers, out)).toMatchObject({ model: 'whisper-large-v3' });
    expect(out.length).toBe(body.length + 'whisper-large-v3'.length - 'whisper-1'.length);
    expect(Buffer.from(out).includes(Buffer.from(audio))).toBe(true);
  });
});

describe('parseMediaType', () => {
  it('reads type and parameters case-insensitively, quoted values unquoted', () => {
    const media = parseMediaType(' Multipart/Form-Data ; BOUNDARY="a b";charset=x ');
    expect(media?.type).toBe('multipart/form-data');
    expect(Object.fromEntries(media?.parameters ?? [])).toEqual({ boundary: 'a b', charset: 'x' });
  });

  it.each(['', 'json', 'application/json, text/plain', 'a/b; x', 'a/b; x=1; x=2', 'a/b; x="1'])(
    'refuses %j',
    (value) => {
      expect(parseMediaType(value)).toBeUndefined();
    },
  );
});
