import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, replyJson, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { faults } from '../fixtures/faults.js';
import { auth, CLIENT_KEY, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

describe.each(targets)('model routing (%s)', (_name, startTarget) => {
  let llama: FakeUpstream;
  let mixtral: FakeUpstream;
  let anything: FakeUpstream;
  let gateway: Target;
  let client: OpenAI;

  beforeAll(async () => {
    llama = await startFakeUpstream();
    mixtral = await startFakeUpstream();
    anything = await startFakeUpstream();
    gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'llama', baseUrl: llama.url, token: TOKENS.a, models: ['gpt-4o', 'llama-*', 'whisper-1'] },
        { id: 'mixtral', baseUrl: mixtral.url, token: TOKENS.b, models: ['mixtral-8x7b'] },
      ]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
    client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    for (const upstream of [llama, mixtral, anything]) await upstream.close();
  });

  const servedBy = async (model: string) => {
    const { response } = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    return response.headers.get('x-proxy-provider');
  };

  it('sends a request only to the providers that serve its model, exact names and globs', async () => {
    for (let i = 0; i < 4; i++) {
      expect(await servedBy('llama-3.1-70b')).toBe('llama');
      expect(await servedBy('gpt-4o')).toBe('llama');
      expect(await servedBy('mixtral-8x7b')).toBe('mixtral');
    }
  });

  it('answers 404 model_not_found naming the model when no provider serves it', async () => {
    const before = llama.requests.length + mixtral.requests.length;
    try {
      await client.chat.completions.create({
        model: 'claude-x',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
      expect((error as Error).message).toContain('"claude-x"');
    }
    expect(llama.requests.length + mixtral.requests.length).toBe(before);
  });

  it('reads the model of a multipart audio upload', async () => {
    const before = llama.requests.length;
    const result = await client.audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(Buffer.alloc(4096, 3), 'a.wav', { type: 'audio/wav' }),
    });
    expect(result.text).toMatch(/^received \d+ bytes$/);
    expect(llama.requests.length).toBe(before + 1);
  });

  it('lets a request without a model go to any provider', async () => {
    const response = await fetch(`${gateway.url}/v1/files`, { headers: auth() });
    expect(['llama', 'mixtral']).toContain(response.headers.get('x-proxy-provider'));
  });

  it('lists every configured model name in OpenAI list shape (globs aside)', async () => {
    const list = await client.models.list();
    expect(list.data.map((model) => [model.id, model.owned_by])).toEqual([
      ['gpt-4o', 'llama'],
      ['whisper-1', 'llama'],
      ['mixtral-8x7b', 'mixtral'],
    ]);
  });
});

describe.each(targets)('model routing with providers that list no models (%s)', (_name, startTarget) => {
  it('fails over only among the providers of the model, and lists what unlisted providers report', async () => {
    const listed = await startFakeUpstream(faults.status(503));
    const other = await startFakeUpstream();
    const open = await startFakeUpstream((request, res) =>
      request.url.endsWith('/v1/models')
        ? replyJson(res, 200, { object: 'list', data: [{ id: 'reported-model', object: 'model' }] })
        : faults.healthy(request, res),
    );
    const gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'listed', baseUrl: listed.url, models: ['llama-*'] },
        { id: 'other', baseUrl: other.url, models: ['mixtral'] },
        { id: 'open', baseUrl: open.url },
      ]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
    try {
      const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
      const { response } = await client.chat.completions
        .create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(response.headers.get('x-proxy-provider')).toBe('open');
      expect(other.requests).toHaveLength(0);
      const ids = (await client.models.list()).data.map((model) => model.id);
      expect(ids).toEqual(['mixtral', 'reported-model']);
    } finally {
      await gateway.close();
      for (const upstream of [listed, other, open]) await upstream.close();
    }
  });

  it('does not hold the listing for a provider whose /v1/models never answers', async () => {
    const silent = await startFakeUpstream(faults.neverAnswer);
    const gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'listed', baseUrl: silent.url, models: ['gpt-4o'] },
        { id: 'silent', baseUrl: silent.url },
      ]),
      PROXY_API_KEYS: CLIENT_KEY,
    });
    try {
      const started = performance.now();
      const response = await fetch(`${gateway.url}/v1/models`, { headers: auth() });
      const elapsed = performance.now() - started;
      expect(((await response.json()) as { data: { id: string }[] }).data.map((model) => model.id)).toEqual([
        'gpt-4o',
      ]);
      // The listing deadline is 3 s.
      expect(elapsed).toBeLessThan(5000);
    } finally {
      await gateway.close();
      await silent.close();
    }
  });
});
