import { describe, expect, it } from 'vitest';
import { createDemoFetch } from './demo-fetch.js';

const NOW = 1_700_000_000_123;
const BASE = 'http://demo.invalid';
const encoder = new TextEncoder();

interface ChatCompletion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: string; content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

interface ChatChunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ index: number; delta: { role?: string; content?: string }; finish_reason: string | null }>;
}

interface Embeddings {
  object: string;
  model: string;
  data: Array<{ object: string; index: number; embedding: number[] }>;
  usage: { prompt_tokens: number; total_tokens: number };
}

interface ErrorBody {
  error: { message: string; type: string; param: null; code: string | null };
}

function demo() {
  return createDemoFetch({ now: () => NOW, chunkDelayMs: 1 });
}

function post(body: unknown): RequestInit {
  return {
    method: 'POST',
    body: encoder.encode(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: { 'content-type': 'application/json' },
  };
}

const chatBody = { model: 'demo-chat', messages: [{ role: 'user', content: 'Hi there' }] };

describe('demo provider: models', () => {
  it('lists the chat and embedding models', async () => {
    const response = await demo()(`${BASE}/v1/models`, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      object: 'list',
      data: [
        { id: 'demo-chat', object: 'model', created: 1_700_000_000, owned_by: 'gateway-demo' },
        { id: 'demo-embedding', object: 'model', created: 1_700_000_000, owned_by: 'gateway-demo' },
      ],
    });
  });

  it('treats a missing method as GET', async () => {
    const response = await demo()(`${BASE}/v1/models`, {});
    expect(response.status).toBe(200);
  });
});

describe('demo provider: chat completions', () => {
  it('answers a non-streamed chat completion in the OpenAI shape', async () => {
    const response = await demo()(`${BASE}/v1/chat/completions`, post(chatBody));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as ChatCompletion;
    expect(body.object).toBe('chat.completion');
    expect(body.id).toMatch(/^chatcmpl-demo-\d+$/);
    expect(body.created).toBe(1_700_000_000);
    expect(body.model).toBe('demo-chat');
    expect(body.choices).toHaveLength(1);
    const [choice] = body.choices;
    expect(choice?.index).toBe(0);
    expect(choice?.finish_reason).toBe('stop');
    expect(choice?.message.role).toBe('assistant');
    expect(typeof choice?.message.content).toBe('string');
    expect(choice?.message.content).toContain('You said: "Hi there"');
    const words = choice?.message.content.split(' ').length ?? 0;
    expect(body.usage.completion_tokens).toBe(words);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('echoes the last user message only', async () => {
    const response = await demo()(
      `${BASE}/v1/chat/completions`,
      post({
        model: 'demo-chat',
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'reply' },
          { role: 'user', content: 'second' },
          { role: 'system', content: 'sys' },
        ],
      }),
    );
    const body = (await response.json()) as ChatCompletion;
    expect(body.choices[0]?.message.content).toContain('You said: "second"');
    expect(body.choices[0]?.message.content).not.toContain('first');
  });

  it('answers without an echo when there is no user text', async () => {
    const response = await demo()(
      `${BASE}/v1/chat/completions`,
      post({ model: 'demo-chat', messages: 'not an array' }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatCompletion;
    expect(body.choices[0]?.message.content).not.toContain('You said');
  });

  it('gives each completion a new id', async () => {
    const fetchDemo = demo();
    const first = (await (
      await fetchDemo(`${BASE}/v1/chat/completions`, post(chatBody))
    ).json()) as ChatCompletion;
    const second = (await (
      await fetchDemo(`${BASE}/v1/chat/completions`, post(chatBody))
    ).json()) as ChatCompletion;
    expect(first.id).not.toBe(second.id);
  });

  it('streams server-sent events that end with data: [DONE]', async () => {
    const response = await demo()(`${BASE}/v1/chat/completions`, post({ ...chatBody, stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = text.split('\n\n').filter((event) => event !== '');
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) expect(event.startsWith('data: ')).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice('data: '.length)) as ChatChunk);
    const ids = new Set(chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.model).toBe('demo-chat');
      expect(chunk.created).toBe(1_700_000_000);
      expect(chunk.choices[0]?.index).toBe(0);
    }
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.at(-1)?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop', logprobs: null });
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content).toContain('You said: "Hi there"');
  });

  it('streams the same text as the non-streamed answer', async () => {
    const plain = (await (
      await demo()(`${BASE}/v1/chat/completions`, post(chatBody))
    ).json()) as ChatCompletion;
    const text = await (
      await demo()(`${BASE}/v1/chat/completions`, post({ ...chatBody, stream: true }))
    ).text();
    const content = text
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => (JSON.parse(event.slice(6)) as ChatChunk).choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe(plain.choices[0]?.message.content);
  });

  it('stops the stream with an error once the signal is aborted', async () => {
    const controller = new AbortController();
    const response = await demo()(`${BASE}/v1/chat/completions`, {
      ...post({ ...chatBody, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    expect(reader).toBeDefined();
    await reader?.read();
    controller.abort(new Error('client gone'));
    let failed = false;
    try {
      for (let i = 0; i < 100; i++) {
        const { done } = (await reader?.read()) ?? { done: true };
        if (done) break;
      }
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
  });
});

describe('demo provider: embeddings', () => {
  it('embeds a string', async () => {
    const response = await demo()(`${BASE}/v1/embeddings`, post({ model: 'demo-embedding', input: 'hello' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Embeddings;
    expect(body.object).toBe('list');
    expect(body.model).toBe('demo-embedding');
    expect(body.data).toHaveLength(1);
    expect(body.data[0]?.object).toBe('embedding');
    expect(body.data[0]?.index).toBe(0);
    expect(body.data[0]?.embedding).toHaveLength(16);
    const norm = Math.hypot(...(body.data[0]?.embedding ?? []));
    expect(norm).toBeCloseTo(1, 10);
    expect(body.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('embeds an array of strings, in order', async () => {
    const response = await demo()(
      `${BASE}/v1/embeddings`,
      post({ model: 'demo-embedding', input: ['a', 'bb', 'a'] }),
    );
    const body = (await response.json()) as Embeddings;
    expect(body.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(body.data[0]?.embedding).toEqual(body.data[2]?.embedding);
    expect(body.data[0]?.embedding).not.toEqual(body.data[1]?.embedding);
    expect(body.usage.prompt_tokens).toBe(3);
  });

  it('is deterministic across calls and instances', async () => {
    const first = (await (
      await demo()(`${BASE}/v1/embeddings`, post({ model: 'demo-embedding', input: 'same text' }))
    ).json()) as Embeddings;
    const second = (await (
      await createDemoFetch({ now: () => 0 })(
        `${BASE}/v1/embeddings`,
        post({ model: 'demo-embedding', input: 'same text' }),
      )
    ).json()) as Embeddings;
    expect(first.data[0]?.embedding).toEqual(second.data[0]?.embedding);
    expect(first.data[0]?.embedding.every((value) => Number.isFinite(value))).toBe(true);
  });

  it('honours dimensions', async () => {
    const response = await demo()(
      `${BASE}/v1/embeddings`,
      post({ model: 'demo-embedding', input: 'x', dimensions: 3 }),
    );
    const body = (await response.json()) as Embeddings;
    expect(body.data[0]?.embedding).toHaveLength(3);
  });

  it('answers encoding_format "base64" with the same vector as little-endian float32s', async () => {
    const plain = (await (
      await demo()(`${BASE}/v1/embeddings`, post({ model: 'demo-embedding', input: 'vec' }))
    ).json()) as Embeddings;
    const response = await demo()(
      `${BASE}/v1/embeddings`,
      post({ model: 'demo-embedding', input: 'vec', encoding_format: 'base64' }),
    );
    const body = (await response.json()) as { data: Array<{ embedding: unknown }> };
    const encoded = body.data[0]?.embedding;
    expect(typeof encoded).toBe('string');
    const bytes = Uint8Array.from(atob(String(encoded)), (char) => char.charCodeAt(0));
    expect(bytes.byteLength).toBe(16 * 4);
    const view = new DataView(bytes.buffer);
    const decoded = Array.from({ length: 16 }, (_, i) => view.getFloat32(i * 4, true));
    const expected = plain.data[0]?.embedding ?? [];
    expect(expected).toHaveLength(16);
    decoded.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] ?? Number.NaN, 6);
    });
  });

  it('refuses an input that is not a string or strings', async () => {
    const response = await demo()(`${BASE}/v1/embeddings`, post({ model: 'demo-embedding', input: [1, 2] }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.type).toBe('invalid_request_error');
  });
});

describe('demo provider: errors', () => {
  it.each([
    ['GET', '/v1/unknown'],
    ['POST', '/v1/completions'],
    ['GET', '/v1/chat/completions'],
    ['DELETE', '/v1/models'],
    ['POST', '/admin'],
  ])('answers 404 for %s %s', async (method, path) => {
    const response = await demo()(`${BASE}${path}`, { method, body: encoder.encode('{}') });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as ErrorBody;
    expect(body).toEqual({
      error: {
        message: `The demo provider does not serve ${method} ${path}.`,
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      },
    });
  });

  it.each(['{not json', '[1,2]', '"text"', 'null', ''])('answers 400 for the body %j', async (text) => {
    const response = await demo()(`${BASE}/v1/chat/completions`, post(text));
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.message).toBe('The request body must be a JSON object.');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.param).toBeNull();
  });

  it('answers 400 for a POST without a body', async () => {
    const response = await demo()(`${BASE}/v1/embeddings`, { method: 'POST' });
    expect(response.status).toBe(400);
  });
});

describe('demo provider: models in requests', () => {
  it.each([
    ['/v1/chat/completions', 'gpt-4o'],
    ['/v1/responses', 'demo-embedding'],
    ['/v1/embeddings', 'demo-chat'],
  ])('refuses an unknown model on %s as a provider does: 404 model_not_found', async (path, model) => {
    const response = await demo()(`${BASE}${path}`, post({ model, input: 'x', messages: [] }));
    expect(response.status).toBe(404);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('model_not_found');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain(`\`${model}\` does not exist`);
  });

  it('refuses a request without a model with 400', async () => {
    const response = await demo()(`${BASE}/v1/chat/completions`, post({ messages: [] }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toBe('You must provide a model parameter.');
  });

  it('retrieves a model it has, and 404s one it has not', async () => {
    const known = await demo()(`${BASE}/v1/models/demo-chat`, { method: 'GET' });
    expect(await known.json()).toMatchObject({ id: 'demo-chat', object: 'model' });
    const unknown = await demo()(`${BASE}/v1/models/gpt-4o`, { method: 'GET' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('model_not_found');
  });
});
