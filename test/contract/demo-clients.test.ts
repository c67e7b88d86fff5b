import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { embed, generateText, jsonSchema, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KEY, targets } from './helpers.js';
import type { Target } from './targets.js';

// Real clients against the built-in demo provider (no provider configured), through the gateway over sockets.
const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
} as const;
const DEMO_TEXT = "Hello from the gateway's built-in demo provider.";

describe.each(targets)('real clients against the demo provider (%s)', (_name, startTarget) => {
  let gateway: Target;
  let baseURL: string;

  beforeAll(async () => {
    gateway = await startTarget({ PROXY_API_KEYS: CLIENT_KEY });
    baseURL = `${gateway.url}/v1`;
  });
  afterAll(() => gateway.close());

  describe('the openai package', () => {
    const client = () => new OpenAI({ apiKey: CLIENT_KEY, baseURL, maxRetries: 0 });

    it('chat, and a stream with usage', async () => {
      const completion = await client().chat.completions.create({
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(completion.choices[0]?.message.content).toContain(DEMO_TEXT);
      const stream = await client().chat.completions.create({
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let total = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        total = chunk.usage?.total_tokens ?? total;
      }
      expect(text).toContain('You said: "Hi"');
      expect(total).toBeGreaterThan(0);
    });

    it('a tool call', async () => {
      const completion = await client().chat.completions.create({
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherSchema } }],
      });
      const call = completion.choices[0]?.message.tool_calls?.[0];
      expect(call?.type === 'function' && call.function).toEqual({
        name: 'get_weather',
        arguments: '{"city":"demo"}',
      });
    });

    it('Responses, plain and streamed', async () => {
      const response = await client().responses.create({ model: 'demo-chat', input: 'Hi' });
      expect(response.output_text).toContain('You said: "Hi"');
      const stream = await client().responses.create({ model: 'demo-chat', input: 'Hi', stream: true });
      const types: string[] = [];
      let text = '';
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') text += event.delta;
      }
      expect(text).toBe(response.output_text);
      expect(types.at(-1)).toBe('response.completed');
      // The SDK's own accumulation of the events gives the final response too.
      const final = await client().responses.stream({ model: 'demo-chat', input: 'Hi' }).finalResponse();
      expect(final.output_text).toBe(response.output_text);
    });

    it('embeddings, and an unknown model refused with 404 model_not_found', async () => {
      const result = await client().embeddings.create({ model: 'demo-embedding', input: 'hello' });
      expect(result.data[0]?.embedding).toHaveLength(16);
      const refused = await client()
        .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
      expect((refused as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    });
  });

  describe('the Vercel AI SDK', () => {
    const provider = () => createOpenAI({ apiKey: CLIENT_KEY, baseURL });

    it('openai(id), the Responses API: generateText and streamText with usage', async () => {
      const result = await generateText({ model: provider()('demo-chat'), prompt: 'Hi', maxRetries: 0 });
      expect(result.text).toContain('You said: "Hi"');
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      const stream = streamText({ model: provider()('demo-chat'), prompt: 'Hi', maxRetries: 0 });
      expect(await stream.text).toBe(result.text);
      expect((await stream.usage).totalTokens).toBeGreaterThan(0);
    });

    it('a tool call over the Responses API and over chat completions', async () => {
      const tools = { get_weather: tool({ inputSchema: jsonSchema<{ city: string }>(weatherSchema) }) };
      for (const model of [provider()('demo-chat'), provider().chat('demo-chat')]) {
        const result = await generateText({ model, prompt: 'Weather?', tools, maxRetries: 0 });
        expect(result.toolCalls.map((call) => [call.toolName, call.input])).toEqual([
          ['get_weather', { city: 'demo' }],
        ]);
      }
    });

    it('chat completions streamed with usage, and embeddings', async () => {
      const stream = streamText({ model: provider().chat('demo-chat'), prompt: 'Hi', maxRetries: 0 });
      expect(await stream.text).toContain('You said: "Hi"');
      expect((await stream.usage).outputTokens).toBeGreaterThan(0);
      const { embedding } = await embed({ model: provider().embedding('demo-embedding'), value: 'hello' });
      expect(embedding).toHaveLength(16);
    });
  });

  describe('LangChain JS', () => {
    const chat = (useResponsesApi: boolean) =>
      new ChatOpenAI({
        model: 'demo-chat',
        apiKey: CLIENT_KEY,
        configuration: { baseURL },
        maxRetries: 0,
        useResponsesApi,
      });

    it.each([false, true])('invoke and stream with usage (Responses API: %s)', async (responses) => {
      const message = await chat(responses).invoke('Hi');
      expect(message.text).toContain('You said: "Hi"');
      let text = '';
      let total = 0;
      for await (const chunk of await chat(responses).stream('Hi')) {
        text += chunk.text;
        total = chunk.usage_metadata?.total_tokens ?? total;
      }
      expect(text).toBe(message.text);
      expect(total).toBeGreaterThan(0);
    });

    it.each([false, true])('a tool call (Responses API: %s)', async (responses) => {
      const withTools = chat(responses).bindTools([
        { type: 'function', function: { name: 'get_weather', parameters: weatherSchema } },
      ]);
      const message = await withTools.invoke('Weather?');
      expect(message.tool_calls?.map((call) => [call.name, call.args])).toEqual([
        ['get_weather', { city: 'demo' }],
      ]);
    });

    it('embeddings', async () => {
      const embeddings = new OpenAIEmbeddings({
        model: 'demo-embedding',
        apiKey: CLIENT_KEY,
        configuration: { baseURL },
        maxRetries: 0,
      });
      expect(await embeddings.embedQuery('hello')).toHaveLength(16);
    });
  });
});
