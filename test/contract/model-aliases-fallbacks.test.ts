import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, type RecordedRequest, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { faults } from '../fixtures/faults.js';
import { CLIENT_KEY, targets } from './helpers.js';
import type { StartTarget, Target } from './targets.js';

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** The model a provider was asked for: from a JSON body, or the multipart `model` field. */
function askedFor(request: RecordedRequest | undefined): string | undefined {
  const text = request?.body.toString('latin1') ?? '';
  if (text.startsWith('{')) return (JSON.parse(text) as { model?: string }).model;
  return /name="model"\r\n\r\n([^\r]*)\r\n/.exec(text)?.[1];
}

async function setup(
  startTarget: StartTarget,
  providers: {
    id: string;
    handler?: Parameters<typeof startFakeUpstream>[0];
    models?: string[];
    aliases?: Record<string, string>;
  }[],
  env: Record<string, string> = {},
) {
  const upstreams: Record<string, FakeUpstream> = {};
  for (const provider of providers) {
    const upstream = await startFakeUpstream(provider.handler);
    open.push(() => upstream.close());
    upstreams[provider.id] = upstream;
  }
  const gateway: Target = await startTarget({
    ADDITIONAL_PROVIDERS: JSON.stringify(
      providers.map(({ id, models, aliases }) => ({ id, baseUrl: upstreams[id]?.url, models, aliases })),
    ),
    PROXY_API_KEYS: CLIENT_KEY,
    ...env,
  });
  open.unshift(() => gateway.close());
  const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  return { upstreams, gateway, client };
}

describe.each(targets)('model aliases (%s)', (_name, startTarget) => {
  it('sends each provider its own name for one client-facing model, and leaves the answer as it came', async () => {
    const { upstreams, client } = await setup(startTarget, [
      {
        id: 'fireworks',
        models: [],
        aliases: { 'llama-70b': 'accounts/fireworks/models/llama-v3p1-70b-instruct' },
      },
      { id: 'groq', models: [], aliases: { 'llama-70b': 'llama-3.1-70b-versatile' } },
    ]);
    const served: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const { data, response } = await client.chat.completions
        .create({ model: 'llama-70b', messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(data.model).toBe('fake-model');
      expect(response.headers.get('x-proxy-model')).toBe('llama-70b');
      served.push(response.headers.get('x-proxy-provider'));
    }
    expect(served.sort()).toEqual(['fireworks', 'fireworks', 'groq', 'groq']);
    expect(upstreams.fireworks?.requests.map(askedFor)).toEqual([
      'accounts/fireworks/models/llama-v3p1-70b-instruct',
      'accounts/fireworks/models/llama-v3p1-70b-instruct',
    ]);
    expect(upstreams.groq?.requests.map(askedFor)).toEqual([
      'llama-3.1-70b-versatile',
      'llama-3.1-70b-versatile',
    ]);
    // The rest of the body is left as the client sent it.
    const sent = JSON.parse(upstreams.groq?.requests[0]?.body.toString('utf8') ?? '{}') as {
      messages: unknown;
    };
    expect(sent.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('rewrites the model field of a multipart upload, the file untouched', async () => {
    const { upstreams, client } = await setup(startTarget, [
      { id: 'groq', models: [], aliases: { 'whisper-1': 'whisper-large-v3' } },
    ]);
    const audio = Buffer.alloc(8192, 9);
    await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'a.wav') });
    const seen = upstreams.groq?.requests[0];
    expect(askedFor(seen)).toBe('whisper-large-v3');
    expect(seen?.body.includes(audio)).toBe(true);
  });

  it('lists alias names in /v1/models', async () => {
    const { client } = await setup(startTarget, [
      { id: 'groq', models: ['mixtral'], aliases: { 'llama-70b': 'llama-3.1' } },
    ]);
    expect((await client.models.list()).data.map((model) => model.id)).toEqual(['llama-70b', 'mixtral']);
  });
});

describe.each(targets)('model fallbacks (%s)', (_name, startTarget) => {
  const fallbackEnv = {
    MODEL_FALLBACKS: JSON.stringify({ 'gpt-4o': ['llama-70b'] }),
    FIRST_TOKEN_TIMEOUT_MS: '300',
  };

  it('answers with the next model when every provider of the requested one failed, plain and streamed', async () => {
    const { upstreams, client } = await setup(
      startTarget,
      [
        { id: 'primary', handler: faults.status(503), models: ['gpt-4o'] },
        { id: 'local', models: [], aliases: { 'llama-70b': 'meta-llama/Llama-3.1-70B' } },
      ],
      fallbackEnv,
    );
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-proxy-model')).toBe('llama-70b');
    expect(response.headers.get('x-proxy-provider')).toBe('local');
    expect(askedFor(upstreams.local?.requests[0])).toBe('meta-llama/Llama-3.1-70B');
    expect(upstreams.primary?.requests.length).toBeGreaterThanOrEqual(1);

    const stream = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello there');
    expect(stream.response.headers.get('x-proxy-model')).toBe('llama-70b');
  });

  it('falls back on a context-length 400 (a larger window may take it); other 400s are the provider’s to give', async () => {
    const { upstreams, client } = await setup(
      startTarget,
      [
        { id: 'primary', handler: faults.contextLengthExceeded, models: ['gpt-4o'] },
        { id: 'local', models: ['llama-70b'] },
      ],
      fallbackEnv,
    );
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-proxy-model')).toBe('llama-70b');
    expect(upstreams.local?.requests).toHaveLength(1);
    upstreams.primary?.handle(faults.status(400));
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(upstreams.local?.requests).toHaveLength(1);
  });

  it('answers the requested model when its provider is healthy, without touching the fallback', async () => {
    const { upstreams, client } = await setup(
      startTarget,
      [
        { id: 'primary', models: ['gpt-4o'] },
        { id: 'local', models: ['llama-70b'] },
      ],
      fallbackEnv,
    );
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-proxy-model')).toBe('gpt-4o');
    expect(askedFor(upstreams.primary?.requests[0])).toBe('gpt-4o');
    expect(upstreams.local?.requests).toHaveLength(0);
  });
});

describe.each(targets)('model names that are also object properties (%s)', (_name, startTarget) => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'forwards model "%s" unchanged, with aliases and fallbacks configured',
    async (model) => {
      const { upstreams, client } = await setup(
        startTarget,
        [{ id: 'aliased', models: ['llama-*'], aliases: { 'llama-70b': 'meta-llama-70b' } }, { id: 'open' }],
        { MODEL_FALLBACKS: '{"llama-70b":["llama-8b"]}' },
      );
      const { response } = await client.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect(response.status).toBe(200);
      expect(response.headers.get('x-proxy-provider')).toBe('open');
      expect(askedFor(upstreams.open?.requests.at(-1))).toBe(model);
    },
  );
});
