import { describe, expect, it } from 'vitest';
import { demoChat } from './demo-chat.js';
import type { JsonObject } from './demo-shared.js';

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' }, unit: { enum: ['c', 'f'] } },
      required: ['city', 'days', 'unit'],
    },
  },
};

function chat(body: JsonObject) {
  return demoChat({ body: { model: 'demo-chat', ...body }, created: 1, serial: 7, delayMs: 0 });
}

async function chunks(response: Response): Promise<JsonObject[]> {
  const text = await response.text();
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((event) => event !== '' && event !== 'data: [DONE]')
    .map((event) => JSON.parse(event.slice('data: '.length)) as JsonObject);
}

describe('demo chat completions', () => {
  it('streams a usage-only last chunk when stream_options.include_usage is set, usage: null before', async () => {
    const events = await chunks(
      chat({
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const last = events.at(-1) as { choices: unknown[]; usage: { total_tokens: number } };
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBeGreaterThan(0);
    for (const event of events.slice(0, -1)) expect(event.usage).toBeNull();
  });

  it('streams no usage without include_usage', async () => {
    const events = await chunks(chat({ messages: [{ role: 'user', content: 'hi' }], stream: true }));
    for (const event of events) expect(event).not.toHaveProperty('usage');
  });

  it('calls the first tool with arguments that fit its schema', async () => {
    const body = (await chat({
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [weather],
    }).json()) as {
      choices: [
        {
          message: { content: null; tool_calls: [{ id: string; function: JsonObject }] };
          finish_reason: string;
        },
      ];
    };
    const [choice] = body.choices;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls[0].id).toBe('call_demo_7');
    expect(choice.message.tool_calls[0].function).toEqual({
      name: 'get_weather',
      arguments: '{"city":"demo","days":1,"unit":"c"}',
    });
  });

  it('streams the tool call: id and name first, then the arguments, then finish_reason tool_calls', async () => {
    const events = await chunks(
      chat({ messages: [{ role: 'user', content: 'w' }], tools: [weather], stream: true }),
    );
    const deltas = events.map(
      (event) => (event.choices as [{ delta: JsonObject; finish_reason: string | null }])[0],
    );
    expect(deltas[0]?.delta.tool_calls).toEqual([
      { index: 0, id: 'call_demo_7', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    expect(deltas[1]?.delta.tool_calls).toEqual([
      { index: 0, function: { arguments: '{"city":"demo","days":1,"unit":"c"}' } },
    ]);
    expect(deltas.at(-1)?.finish_reason).toBe('tool_calls');
  });

  it('answers in text once the last message is a tool result, or when tool_choice is "none"', async () => {
    const afterTool = (await chat({
      messages: [
        { role: 'user', content: 'w' },
        { role: 'assistant', tool_calls: [] },
        { role: 'tool', tool_call_id: 'call_demo_7', content: 'sunny' },
      ],
      tools: [weather],
    }).json()) as { choices: [{ finish_reason: string; message: { content: string } }] };
    expect(afterTool.choices[0].finish_reason).toBe('stop');
    expect(afterTool.choices[0].message.content).toContain('You said: "w"');
    const none = (await chat({ messages: [], tools: [weather], tool_choice: 'none' }).json()) as {
      choices: [{ finish_reason: string }];
    };
    expect(none.choices[0].finish_reason).toBe('stop');
  });

  it('reads user text from content parts', async () => {
    const body = (await chat({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'from parts' }] }],
    }).json()) as { choices: [{ message: { content: string } }] };
    expect(body.choices[0].message.content).toContain('You said: "from parts"');
  });
});
