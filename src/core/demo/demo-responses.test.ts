import { describe, expect, it } from 'vitest';
import { demoResponses } from './demo-responses.js';
import type { JsonObject } from './demo-shared.js';

const tool = {
  type: 'function',
  name: 'lookup',
  parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
};

function respond(body: JsonObject) {
  return demoResponses({ body: { model: 'demo-chat', ...body }, created: 5, serial: 3, delayMs: 0 });
}

async function events(response: Response): Promise<{ event: string; data: JsonObject }[]> {
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  expect(text).not.toContain('[DONE]');
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return {
        event: eventLine?.slice('event: '.length) ?? '',
        data: JSON.parse(dataLine?.slice('data: '.length) ?? '') as JsonObject,
      };
    });
}

describe('demo Responses API', () => {
  it('answers a plain request with one completed message, output_text and usage', async () => {
    const body = (await respond({ input: 'Hi there' }).json()) as JsonObject & {
      output: [{ type: string; role: string; content: [{ type: string; text: string }] }];
      usage: { input_tokens: number; output_tokens: number; total_tokens: number };
    };
    expect(body).toMatchObject({
      id: 'resp_demo_3',
      object: 'response',
      status: 'completed',
      model: 'demo-chat',
    });
    expect(body.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(body.output[0].content[0].type).toBe('output_text');
    expect(body.output[0].content[0].text).toContain('You said: "Hi there"');
    expect(body.output_text).toBe(body.output[0].content[0].text);
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
  });

  it('reads the last user text from input items with content parts', async () => {
    const body = (await respond({
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'parts' }] },
        { role: 'assistant', content: 'x' },
      ],
    }).json()) as { output_text: string };
    expect(body.output_text).toContain('You said: "parts"');
  });

  it('streams the event sequence OpenAI sends, numbered, ending with response.completed', async () => {
    const list = await events(respond({ input: 'Hi', stream: true }));
    const names = list.map((item) => item.event);
    expect(names.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(names.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(new Set(names.slice(4, -4))).toEqual(new Set(['response.output_text.delta']));
    list.forEach((item, index) => {
      expect(item.data.type).toBe(item.event);
      expect(item.data.sequence_number).toBe(index);
    });
    const text = list
      .filter((item) => item.event === 'response.output_text.delta')
      .map((item) => item.data.delta)
      .join('');
    const done = list.find((item) => item.event === 'response.output_text.done');
    expect(done?.data.text).toBe(text);
    const completed = list.at(-1)?.data.response as { status: string; usage: { output_tokens: number } };
    expect(completed.status).toBe('completed');
    expect(completed.usage.output_tokens).toBeGreaterThan(0);
    expect(list[0]?.data.response).toMatchObject({ status: 'in_progress' });
  });

  it('calls the first function tool, plain and streamed', async () => {
    const plain = (await respond({ input: 'find', tools: [tool] }).json()) as { output: JsonObject[] };
    expect(plain.output).toEqual([
      {
        id: 'fc_demo_3',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_demo_3',
        name: 'lookup',
        arguments: '{"q":"demo"}',
      },
    ]);
    const list = await events(respond({ input: 'find', tools: [tool], stream: true }));
    expect(list.map((item) => item.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(list[4]?.data.arguments).toBe('{"q":"demo"}');
  });

  it('answers in text once the input ends with the tool output', async () => {
    const body = (await respond({
      input: [
        { role: 'user', content: 'find' },
        { type: 'function_call', call_id: 'call_demo_3', name: 'lookup', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_demo_3', output: 'found' },
      ],
      tools: [tool],
    }).json()) as { output: [{ type: string }] };
    expect(body.output[0].type).toBe('message');
  });
});
