import { describe, expect, it } from 'vitest';
import { planRequestUsage } from './request-usage.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const plan = (body: string, target = '/v1/chat/completions') => {
  const result = planRequestUsage(
    target,
    'application/json',
    encoder.encode(body) as Uint8Array<ArrayBuffer>,
  );
  return { ...result, text: decoder.decode(result.body) };
};

describe('planRequestUsage', () => {
  it('asks for usage on a chat or text completions stream whose client did not, keeping every other byte', () => {
    const body =
      ' {"model":"m", "stream" : true,"messages":[{"role":"user","content":"\\"stream\\":false"}]}';
    const result = plan(body);
    expect(result).toMatchObject({ model: 'm', injected: true });
    expect(result.text).toBe(` {"stream_options":{"include_usage":true},${body.slice(2)}`);
    expect(plan('{"stream":true,"prompt":"x"}', '/v1/completions').injected).toBe(true);
  });

  it("sets include_usage in the client's own stream_options, and in a null one", () => {
    const result = plan('{"stream":true,"stream_options":{"include_usage":false,"x":1},"model":"m"}');
    expect(result.injected).toBe(true);
    expect(JSON.parse(result.text)).toEqual({
      stream: true,
      stream_options: { include_usage: true, x: 1 },
      model: 'm',
    });
    expect(JSON.parse(plan('{"stream":true,"stream_options":null}').text).stream_options).toEqual({
      include_usage: true,
    });
  });

  it.each([
    [
      'the client asked itself',
      '{"stream":true,"stream_options":{"include_usage":true}}',
      '/v1/chat/completions',
    ],
    ['not a stream', '{"stream":false,"model":"m"}', '/v1/chat/completions'],
    ['"stream" inside a string', '{"x":"\\"stream\\":true"}', '/v1/chat/completions'],
    ['the Responses API (usage always sent)', '{"stream":true}', '/v1/responses'],
    ['embeddings', '{"stream":true}', '/v1/embeddings'],
  ])('leaves the body as it is when %s', (_why, body, target) => {
    const result = plan(body, target);
    expect(result.injected).toBe(false);
    expect(result.text).toBe(body);
  });

  it('reads no model from a body that is not JSON', () => {
    const body = encoder.encode('{"model":"m"}') as Uint8Array<ArrayBuffer>;
    expect(planRequestUsage('/v1/audio/transcriptions', 'multipart/form-data; boundary=x', body)).toEqual({
      body,
      injected: false,
    });
  });
});
