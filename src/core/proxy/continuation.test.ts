import { describe, expect, it } from 'vitest';
import type { BodySource } from '../exchange/exchange.js';
import { createContinuation } from './continuation.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  encoder.encode(
    `data: ${JSON.stringify({ id: 'c1', model: 'm1', created: 1, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`,
  );
const request = (value: Record<string, unknown>) => encoder.encode(JSON.stringify(value));
const STREAM: BodySource = { pull: (controller) => controller.close(), cancel: () => {} };

describe('createContinuation', () => {
  const body = request({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });

  it('asks each candidate in turn with the delivered text as a last assistant message', async () => {
    const sent: unknown[] = [];
    let continuedCount = 0;
    const continuation = createContinuation({
      body,
      maxBytes: 1 << 20,
      onContinued: () => {
        continuedCount += 1;
      },
      tries: () => [
        async (prefilled) => {
          sent.push(JSON.parse(decoder.decode(prefilled())));
          return undefined;
        },
        async (prefilled) => {
          sent.push(JSON.parse(decoder.decode(prefilled())));
          return STREAM;
        },
      ],
    });
    continuation.delivered(chunk({ role: 'assistant', content: '' }));
    continuation.delivered(concat(chunk({ content: 'Hello' }), chunk({ content: ' world' })));
    expect(await continuation.resume()).toBeDefined();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual({
      model: 'm',
      stream: true,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Hello world' },
      ],
    });
    expect(continuedCount).toBe(1);
  });

  it.each([
    ['a tool call', { body, delivered: chunk({ tool_calls: [{ index: 0, function: { name: 'f' } }] }) }],
    [
      'a second choice',
      { body, delivered: encoder.encode('data: {"choices":[{"index":1,"delta":{"content":"x"}}]}\n\n') },
    ],
    ['n > 1', { body: request({ stream: true, n: 2, messages: [] }), delivered: chunk({ content: 'x' }) }],
    ['a body that is not JSON', { body: encoder.encode('nope'), delivered: chunk({ content: 'x' }) }],
  ])('does not continue %s', async (_, { body: requestBody, delivered }) => {
    let asked = 0;
    const continuation = createContinuation({
      body: requestBody,
      maxBytes: 1 << 20,
      tries: () => [
        async () => {
          asked += 1;
          return STREAM;
        },
      ],
    });
    continuation.delivered(delivered);
    expect(await continuation.resume()).toBeUndefined();
    expect(asked).toBe(0);
  });

  it('keeps at most maxBytes of the delivered stream: a longer answer is not continued', async () => {
    let asked = 0;
    const try1 = async () => {
      asked += 1;
      return STREAM;
    };
    const first = chunk({ content: 'x' });
    const fits = createContinuation({ body, maxBytes: first.byteLength, tries: () => [try1] });
    fits.delivered(first);
    expect(await fits.resume()).toBeDefined();
    const over = createContinuation({ body, maxBytes: first.byteLength, tries: () => [try1] });
    over.delivered(first);
    over.delivered(chunk({ content: 'y' }));
    expect(await over.resume()).toBeUndefined();
    expect(asked).toBe(1);
  });

  it('is undefined when no candidate takes it', async () => {
    const continuation = createContinuation({
      body,
      maxBytes: 1 << 20,
      tries: () => [async () => undefined],
    });
    continuation.delivered(chunk({ content: 'x' }));
    expect(await continuation.resume()).toBeUndefined();
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
