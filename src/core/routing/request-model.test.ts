import { describe, expect, it } from 'vitest';
import { requestModel, withModel } from './request-model.js';

const bytes = (text: string) => new TextEncoder().encode(text);

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

describe('requestModel', () => {
  it('reads model from a JSON body', () => {
    expect(requestModel('application/json', bytes('{"messages":[],"model":"gpt-4o"}'))).toBe('gpt-4o');
    expect(requestModel('application/json; charset=utf-8', bytes('{"model":"m"}'))).toBe('m');
  });

  it('gives undefined for no body, no model, a non-string model, bad JSON or other types', () => {
    expect(requestModel('application/json', undefined)).toBeUndefined();
    expect(requestModel('application/json', bytes('{"input":"x"}'))).toBeUndefined();
    expect(requestModel('application/json', bytes('{"model":42}'))).toBeUndefined();
    expect(requestModel('application/json', bytes('{"model":'))).toBeUndefined();
    expect(requestModel('application/json', bytes('[1]'))).toBeUndefined();
    expect(requestModel('text/plain', bytes('{"model":"m"}'))).toBeUndefined();
    expect(requestModel(null, bytes('{"model":"m"}'))).toBeUndefined();
  });

  it('reads the model field of a multipart form, before or after a binary file', () => {
    const audio = new Uint8Array(10_000).map((_, i) => (i * 7) % 256);
    expect(
      requestModel('multipart/form-data; boundary=----b0undary', multipart([['model', 'whisper-1']], audio)),
    ).toBe('whisper-1');
    const after = multipart([['language', 'en']], audio);
    const withModelLast = new Uint8Array(
      Buffer.concat([
        after.subarray(0, after.length - 20),
        bytes('\r\n--x\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-2\r\n--x--\r\n'),
      ]),
    );
    expect(requestModel('multipart/form-data; boundary=x', withModelLast)).toBe('whisper-2');
    expect(
      requestModel('multipart/form-data; boundary=x', multipart([['language', 'en']], audio)),
    ).toBeUndefined();
  });
});

describe('withModel', () => {
  it('sets the model of a JSON body and keeps every other field', () => {
    const out = withModel(
      'application/json',
      bytes('{"model":"a","messages":[{"role":"user","content":"é"}],"n":2}'),
      'b',
    );
    expect(JSON.parse(new TextDecoder().decode(out))).toEqual({
      model: 'b',
      messages: [{ role: 'user', content: 'é' }],
      n: 2,
    });
  });

  it('replaces only the model field bytes of a multipart form', () => {
    const audio = new Uint8Array(5000).map((_, i) => (i * 13) % 256);
    const body = multipart([['model', 'whisper-1']], audio);
    const out = withModel('multipart/form-data; boundary=----b0undary', body, 'whisper-large-v3');
    expect(requestModel('multipart/form-data; boundary=----b0undary', out)).toBe('whisper-large-v3');
    expect(out.length).toBe(body.length + 'whisper-large-v3'.length - 'whisper-1'.length);
    expect(Buffer.from(out).includes(Buffer.from(audio))).toBe(true);
  });
});
