import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { CLIENT_KEY, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

describe.each(targets)('the official openai package as the client (%s)', (_name, startTarget) => {
  let upstream: FakeUpstream;
  let gateway: Target;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: `${upstream.url}/inference`,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
    });
    client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('creates a chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello there');
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKENS.a}`);
  });

  it('streams a chat completion', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const parts: string[] = [];
    for await (const chunk of stream) parts.push(chunk.choices[0]?.delta.content ?? '');
    expect(parts.join('')).toBe('Hello there');
  });

  it('creates embeddings', async () => {
    const result = await client.embeddings.create({ model: 'fake-embedding', input: 'hello' });
    expect(result.data[0]?.embedding).toEqual([0.5, 0.25, -0.125]);
  });

  it('lists models', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['fake-model']);
  });

  it('uploads audio for transcription, multipart bytes unchanged', async () => {
    const audio = Buffer.alloc(256 * 1024);
    for (let i = 0; i < audio.length; i++) audio[i] = (i * 31) % 256;
    const result = await client.audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(audio, 'speech.wav', { type: 'audio/wav' }),
    });
    const seen = upstream.requests.at(-1);
    expect(seen?.url).toBe('/inference/v1/audio/transcriptions');
    expect(seen?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(result.text).toBe(`received ${seen?.body.length} bytes`);
    // The upload reached the provider byte for byte inside the multipart body.
    expect(seen?.body.includes(audio)).toBe(true);
  });

  it('raises the SDK error type for the gateway errors', async () => {
    const wrong = new OpenAI({ apiKey: 'not-a-key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('the openai package against the built-in demo provider', () => {
  it('gets a completion, a stream, embeddings and models with no provider configured', async () => {
    const { startNodeTarget } = await import('./targets.js');
    const gateway = await startNodeTarget({ PROXY_API_KEYS: CLIENT_KEY });
    try {
      const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'ping' }],
      });
      expect(completion.choices[0]?.message.content).toContain('You said: "ping"');
      const stream = await client.chat.completions.create({
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'ping' }],
        stream: true,
      });
      let chunks = 0;
      let text = '';
      for await (const chunk of stream) {
        chunks += 1;
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(chunks).toBeGreaterThan(5);
      expect(text).toBe(completion.choices[0]?.message.content);
      const embeddings = await client.embeddings.create({ model: 'demo-embedding', input: ['a', 'b'] });
      expect(embeddings.data).toHaveLength(2);
      expect(embeddings.data[0]?.embedding).toHaveLength(16);
      expect(Math.hypot(...(embeddings.data[0]?.embedding ?? []))).toBeCloseTo(1, 5);
      const models = await client.models.list();
      expect(models.data.map((model) => model.id)).toContain('demo-chat');
    } finally {
      await gateway.close();
    }
  });
});
