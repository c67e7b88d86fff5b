import { describe, expect, it } from 'vitest';
import { type BodyController, type BodySource, bodyStream } from '../exchange/exchange.js';
import { rewrittenStream } from './continued-stream.js';

const encoder = new TextEncoder();
const event = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

/** A body source that hands out `chunks` one per pull. */
function chunksSource(chunks: string[]): BodySource {
  let index = 0;
  return {
    pull(controller: BodyController) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
    cancel() {},
  };
}

async function events(source: BodySource): Promise<string[]> {
  const text = await new Response(bodyStream(source)).text();
  return text.split('\n\n').filter((part) => part !== '');
}

describe('rewrittenStream', () => {
  it('gives every event the first stream’s id, model and created, drops the role delta, passes [DONE] and errors', async () => {
    const first = event({
      id: 'other',
      model: 'm2',
      created: 2,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' } }],
    });
    const second = event({
      id: 'other',
      model: 'm2',
      created: 2,
      choices: [{ index: 0, delta: { content: 'x' } }],
    });
    // The second event split across two chunks, and CRLF line endings in the error event.
    const out = await events(
      rewrittenStream(
        chunksSource([
          first + second.slice(0, 10),
          second.slice(10),
          'data: {"error":{"code":"e"}}\r\n\r\n',
          'data: [DONE]\n\n',
        ]),
        { identity: { id: 'chatcmpl-1', model: 'm1', created: 1 }, deliveredTokens: 0 },
      ),
    );
    expect(out.map((part) => (part.startsWith('data: {') ? JSON.parse(part.slice(6)) : part))).toEqual([
      { id: 'chatcmpl-1', model: 'm1', created: 1, choices: [{ index: 0, delta: { content: '' } }] },
      { id: 'chatcmpl-1', model: 'm1', created: 1, choices: [{ index: 0, delta: { content: 'x' } }] },
      { error: { code: 'e' } },
      'data: [DONE]',
    ]);
  });

  it('adds the delivered tokens to the usage and marks it continued and estimated', async () => {
    const out = await events(
      rewrittenStream(
        chunksSource([
          event({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 } }),
        ]),
        { identity: {}, deliveredTokens: 40 },
      ),
    );
    expect(JSON.parse((out[0] as string).slice(6)).usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 60,
      total_tokens: 70,
      continued: true,
      estimated: true,
    });
  });
});
