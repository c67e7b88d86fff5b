import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream, type UpstreamHandler } from '../fixtures/fake-upstream.js';
import { COUNTED_TOKENS, countedStream, faults } from '../fixtures/faults.js';
import { CLIENT_KEY, targets } from './helpers.js';
import type { StartTarget, Target } from './targets.js';

/** Short deadlines, so that every fault plays out in well under a second. */
const FAST = {
  UPSTREAM_HEADERS_TIMEOUT_MS: '400',
  FIRST_TOKEN_TIMEOUT_MS: '300',
  STREAM_IDLE_TIMEOUT_MS: '300',
  REQUEST_TIMEOUT_MS: '10000',
};
/** How much later than its deadline a failover may come on a busy machine (a generous bound on behaviour). */
const SLACK_MS = 2000;
const ALL_TOKENS = COUNTED_TOKENS.join('');
const MESSAGES = [{ role: 'user' as const, content: 'Count to 60.' }];

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

interface ProviderSpec {
  id: string;
  handler: UpstreamHandler;
  models?: string[];
  weight?: number;
  continuation?: 'prefill';
}

async function setup(startTarget: StartTarget, specs: ProviderSpec[], env: Record<string, string> = {}) {
  const upstreams: Record<string, FakeUpstream> = {};
  for (const spec of specs) {
    const upstream = await startFakeUpstream(spec.handler);
    open.push(() => upstream.close());
    upstreams[spec.id] = upstream;
  }
  const gateway: Target = await startTarget({
    ADDITIONAL_PROVIDERS: JSON.stringify(
      specs.map(({ id, models, weight, continuation }) => ({
        id,
        baseUrl: upstreams[id]?.url,
        models,
        weight,
        continuation,
      })),
    ),
    PROXY_API_KEYS: CLIENT_KEY,
    ...FAST,
    ...env,
  });
  open.unshift(() => gateway.close());
  const client = new OpenAI({
    apiKey: CLIENT_KEY,
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
    timeout: 20_000,
  });
  /** How many requests each upstream saw. */
  const seen = () =>
    Object.fromEntries(Object.entries(upstreams).map(([id, up]) => [id, up.requests.length]));
  const stats = async () =>
    (await (
      await fetch(`${gateway.url}/stats`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } })
    ).json()) as {
      providers: { id: string; errors: number; continued: number; consecutiveFailures: number }[];
    };
  return { upstreams, gateway, client, seen, stats };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A timed request: its result (or error) and how long the client waited. */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

/** A streamed chat completion through the official client: text, chunk ids and models, finish reasons. */
async function sdkStream(client: OpenAI, model: string, extra: { include_usage?: boolean } = {}) {
  const { data, response } = await client.chat.completions
    .create({
      model,
      messages: MESSAGES,
      stream: true,
      ...(extra.include_usage ? { stream_options: { include_usage: true } } : {}),
    })
    .withResponse();
  let text = '';
  const ids = new Set<string>();
  const models = new Set<string>();
  const finishes: string[] = [];
  let usage: Record<string, unknown> | undefined;
  let error: unknown;
  try {
    for await (const chunk of data) {
      ids.add(chunk.id);
      models.add(chunk.model);
      text += chunk.choices[0]?.delta?.content ?? '';
      const finish = chunk.choices[0]?.finish_reason;
      if (finish) finishes.push(finish);
      if (chunk.usage) usage = chunk.usage as unknown as Record<string, unknown>;
    }
  } catch (caught) {
    error = caught;
  }
  return { text, ids, models, finishes, usage, error, provider: response.headers.get('x-proxy-provider') };
}

/** The raw event stream, for what the SDK hides: how many `[DONE]`s came, and the last event. */
async function rawStream(gateway: Target, model: string) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: MESSAGES }),
  });
  const text = await response.text();
  const events = text.split('\n\n').filter((event) => event.trim() !== '');
  return { text, events, dones: events.filter((event) => event.trim() === 'data: [DONE]').length };
}

/** The request's log line, once written (a stream's is written when it ends; workerd's comes a bit later). */
async function logLine(gateway: Target, predicate: (line: Record<string, unknown>) => boolean) {
  for (let i = 0; i < 40; i++) {
    const line = gateway.logs.find(
      (entry) => entry.msg === 'request' && predicate(entry as Record<string, unknown>),
    );
    if (line !== undefined) return line as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/** The last message a provider was asked to continue from. */
function lastMessage(upstream: FakeUpstream | undefined, index = 0) {
  const body = JSON.parse(upstream?.requests[index]?.body.toString('utf8') ?? '{}') as {
    messages?: { role: string; content: string }[];
  };
  return body.messages?.at(-1);
}

describe.each(targets)('moving on from a silent route (%s)', (_name, startTarget) => {
  const fallbacks = { MODEL_FALLBACKS: JSON.stringify({ big: ['small'] }) };

  it('no headers, fallback model ready: answered by the fallback within the headers timeout, the silent one asked once', async () => {
    const s = await setup(
      startTarget,
      [
        { id: 'silent', handler: faults.neverAnswer, models: ['big'] },
        { id: 'spare', handler: faults.healthy, models: ['small'] },
      ],
      fallbacks,
    );
    const first = await timed(() =>
      s.client.chat.completions.create({ model: 'big', messages: MESSAGES }).withResponse(),
    );
    expect(first.value.data.choices[0]?.message.content).toBe('Hello there');
    expect(first.value.response.headers.get('x-proxy-model')).toBe('small');
    expect(first.value.response.headers.get('x-proxy-attempts')).toBe('2');
    expect(first.ms).toBeLessThan(400 + SLACK_MS);
    expect(s.seen()).toEqual({ silent: 1, spare: 1 });
    // The next request goes to the fallback at once while the silent provider's backoff lasts (a few hundred ms
    // after one failure: on a loaded machine it may be over, and the silent one asked once more, never twice).
    const second = await timed(() => sdkStream(s.client, 'big'));
    expect(second.value.text).toBe('Hello there');
    const seen = s.seen();
    expect(seen.spare).toBe(2);
    expect(seen.silent === 1 || seen.silent === 2).toBe(true);
    expect(second.ms).toBeLessThan((seen.silent === 1 ? 0 : 400) + SLACK_MS);
  });

  it('first token never coming: the fallback answers within FIRST_TOKEN_TIMEOUT_MS, the slow one asked once', async () => {
    const s = await setup(
      startTarget,
      [
        { id: 'slow', handler: faults.lateFirstEvent(8000), models: ['big'] },
        { id: 'spare', handler: faults.healthy, models: ['small'] },
      ],
      fallbacks,
    );
    const { value, ms } = await timed(() => sdkStream(s.client, 'big'));
    expect(value.error).toBeUndefined();
    expect(value.text).toBe('Hello there');
    expect(value.provider).toBe('spare');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    expect(s.seen()).toEqual({ slow: 1, spare: 1 });
  });

  it('one provider and no fallback: a slow first token is waited for, not cut and asked again', async () => {
    const s = await setup(startTarget, [{ id: 'only', handler: faults.lateFirstEvent(700) }]);
    const { value, ms } = await timed(() => sdkStream(s.client, 'fake-model'));
    expect(value.error).toBeUndefined();
    expect(value.text).toBe('late but fine');
    expect(ms).toBeGreaterThanOrEqual(690);
    expect(ms).toBeLessThan(700 + SLACK_MS);
    expect(s.seen()).toEqual({ only: 1 });
  });

  it('a stalled JSON body moves to the fallback model, not back to the same route', async () => {
    const s = await setup(
      startTarget,
      [
        { id: 'stalls', handler: faults.stallMidway, models: ['big'] },
        { id: 'spare', handler: faults.healthy, models: ['small'] },
      ],
      { ...fallbacks, MAX_ATTEMPTS: '3' },
    );
    const { value, ms } = await timed(() =>
      s.client.chat.completions.create({ model: 'big', messages: MESSAGES }),
    );
    expect(value.choices[0]?.message.content).toBe('Hello there');
    expect(ms).toBeLessThan(300 + SLACK_MS);
    expect(s.seen()).toEqual({ stalls: 1, spare: 1 });
  });

  it('a failing primary with a fallback model: no request waits on the primary’s backoff', async () => {
    const s = await setup(
      startTarget,
      [
        { id: 'flaky', handler: faults.status(503), models: ['big'] },
        { id: 'spare', handler: faults.healthy, models: ['small'] },
      ],
      { ...fallbacks, BREAKER_FAILURE_THRESHOLD: '100' },
    );
    // Without the skip, six failures in a row would wait 100-200, 200-400, ... 1600-3200 ms of backoff.
    const { ms } = await timed(async () => {
      for (let i = 0; i < 6; i++) {
        const { response } = await s.client.chat.completions
          .create({ model: 'big', messages: MESSAGES })
          .withResponse();
        expect(response.headers.get('x-proxy-model')).toBe('small');
      }
    });
    expect(ms).toBeLessThan(2500);
    expect(s.seen().spare).toBe(6);
    // The primary was asked only when its backoff had passed, never twice in one request.
    expect(s.seen().flaky).toBeLessThanOrEqual(3);
  });

  it('400 context_length_exceeded with a fallback model: answered by the fallback; other 400s as they are', async () => {
    const s = await setup(
      startTarget,
      [
        { id: 'narrow', handler: faults.contextLengthExceeded, models: ['big'] },
        { id: 'wide', handler: faults.healthy, models: ['small'] },
      ],
      fallbacks,
    );
    const { value, ms } = await timed(() =>
      s.client.chat.completions.create({ model: 'big', messages: MESSAGES }).withResponse(),
    );
    expect(value.data.choices[0]?.message.content).toBe('Hello there');
    expect(value.response.headers.get('x-proxy-model')).toBe('small');
    expect(ms).toBeLessThan(SLACK_MS);
    expect(s.seen()).toEqual({ narrow: 1, wide: 1 });
    // The narrow provider meant it: its breaker is not touched.
    expect((await s.stats()).providers.find((p) => p.id === 'narrow')?.consecutiveFailures).toBe(0);

    s.upstreams.narrow?.handle(faults.status(400));
    await expect(
      s.client.chat.completions.create({ model: 'big', messages: MESSAGES }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('upstream says 400'),
    });
    expect(s.seen()).toEqual({ narrow: 2, wide: 1 });
  });
});

describe.each(targets)('continuing a cut stream (%s)', (_name, startTarget) => {
  it('cut after 40 of 60 tokens: the client gets all 60 as one stream, the next provider got the prefill', async () => {
    const s = await setup(startTarget, [
      { id: 'first', handler: countedStream({ id: 'chatcmpl-first', model: 'm-first', cutAfter: 40 }) },
      // Weight 0: a backup, so the first try goes to "first".
      {
        id: 'second',
        handler: countedStream({ id: 'chatcmpl-second', model: 'm-second' }),
        weight: 0,
        continuation: 'prefill',
      },
    ]);
    const { value, ms } = await timed(() => sdkStream(s.client, 'counted', { include_usage: true }));
    expect(value.error).toBeUndefined();
    expect(value.text).toBe(ALL_TOKENS);
    expect([...value.ids]).toEqual(['chatcmpl-first']);
    expect([...value.models]).toEqual(['m-first']);
    expect(value.finishes).toEqual(['stop']);
    expect(value.usage).toMatchObject({ completion_tokens: 60, continued: true, estimated: true });
    expect(ms).toBeLessThan(SLACK_MS);
    expect(s.seen()).toEqual({ first: 1, second: 1 });
    expect(lastMessage(s.upstreams.second)).toEqual({
      role: 'assistant',
      content: COUNTED_TOKENS.slice(0, 40).join(''),
    });
    // The attempts, who finished and that it was continued: in the log line and /stats.
    const line = await logLine(s.gateway, (entry) => entry.continued === true);
    expect(line).toMatchObject({ provider: 'second', attempts: 2, continued: true, outcome: 'complete' });
    const providers = (await s.stats()).providers;
    expect(providers.find((p) => p.id === 'second')?.continued).toBe(1);
    expect(providers.find((p) => p.id === 'first')?.errors).toBe(1);

    // Raw: one [DONE], last; no error event (after the first provider's backoff, 100-200 ms, has passed).
    await pause(300);
    const raw = await rawStream(s.gateway, 'counted');
    expect(raw.dones).toBe(1);
    expect(raw.events.at(-1)).toBe('data: [DONE]');
    expect(raw.text).not.toContain('"error"');
    expect(s.seen()).toEqual({ first: 2, second: 2 });
  });

  it('a candidate that rejects the prefill: a clean error naming the original failure, not its 400', async () => {
    const s = await setup(startTarget, [
      { id: 'first', handler: countedStream({ cutAfter: 40 }) },
      { id: 'second', handler: countedStream({ rejectPrefill: true }), weight: 0, continuation: 'prefill' },
    ]);
    const { value, ms } = await timed(() => sdkStream(s.client, 'counted'));
    expect(value.text).toBe(COUNTED_TOKENS.slice(0, 40).join(''));
    expect(value.error).toBeInstanceOf(OpenAI.APIError);
    expect((value.error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_stream_interrupted');
    expect(String((value.error as Error).message)).not.toContain('role user');
    expect(ms).toBeLessThan(SLACK_MS);
    expect(s.seen()).toEqual({ first: 1, second: 1 });
    await pause(300);
    const raw = await rawStream(s.gateway, 'counted');
    expect(raw.dones).toBe(0);
    expect(raw.events.at(-1)).toContain('"code":"upstream_stream_interrupted"');
  });

  it('a stream stalled mid-way is continued on the fallback model after STREAM_IDLE_TIMEOUT_MS', async () => {
    const s = await setup(
      startTarget,
      [
        { id: 'first', handler: countedStream({ stallAfter: 25 }), models: ['counted'] },
        { id: 'other', handler: countedStream(), models: ['other-model'], continuation: 'prefill' },
      ],
      { MODEL_FALLBACKS: JSON.stringify({ counted: ['other-model'] }) },
    );
    const { value, ms } = await timed(() => sdkStream(s.client, 'counted'));
    expect(value.error).toBeUndefined();
    expect(value.text).toBe(ALL_TOKENS);
    expect(value.finishes).toEqual(['stop']);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    expect(s.seen()).toEqual({ first: 1, other: 1 });
    expect(lastMessage(s.upstreams.other)?.content).toBe(COUNTED_TOKENS.slice(0, 25).join(''));
    const sent = JSON.parse(s.upstreams.other?.requests[0]?.body.toString('utf8') ?? '{}') as {
      model: string;
    };
    expect(sent.model).toBe('other-model');
  });

  it('without "continuation": "prefill" on any provider, a cut stream still ends with the in-band error', async () => {
    const s = await setup(startTarget, [
      { id: 'first', handler: countedStream({ cutAfter: 40 }) },
      { id: 'second', handler: countedStream(), weight: 0 },
    ]);
    const value = await sdkStream(s.client, 'counted');
    expect((value.error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_stream_interrupted');
    expect(s.seen()).toEqual({ first: 1, second: 0 });
  });

  it('a clean end after the finish_reason without [DONE]: complete, [DONE] appended, no breaker count', async () => {
    const s = await setup(startTarget, [{ id: 'only', handler: countedStream({ noDone: true }) }], {
      BREAKER_FAILURE_THRESHOLD: '1',
    });
    const { value, ms } = await timed(() => sdkStream(s.client, 'counted'));
    expect(value.error).toBeUndefined();
    expect(value.text).toBe(ALL_TOKENS);
    expect(ms).toBeLessThan(SLACK_MS);
    const raw = await rawStream(s.gateway, 'counted');
    expect(raw.dones).toBe(1);
    expect(raw.events.at(-1)).toBe('data: [DONE]');
    expect(s.seen()).toEqual({ only: 2 });
    expect((await s.stats()).providers[0]).toMatchObject({ errors: 0, consecutiveFailures: 0 });
  });
});

describe.each(targets)('rate limits and fallback-only models (%s)', (_name, startTarget) => {
  it('every provider rate limited: 429 with Retry-After from the first request; /health degraded with why', async () => {
    const s = await setup(startTarget, [
      { id: 'a', handler: faults.status(429, { 'retry-after': '30' }) },
      { id: 'b', handler: faults.status(429, { 'retry-after': '20' }) },
    ]);
    for (let i = 0; i < 2; i++) {
      const { value, ms } = await timed(() =>
        s.client.chat.completions.create({ model: 'x', messages: MESSAGES }).catch((error: unknown) => error),
      );
      expect(value).toBeInstanceOf(OpenAI.RateLimitError);
      const error = value as InstanceType<typeof OpenAI.RateLimitError>;
      expect(error.code).toBe('rate_limit_exceeded');
      const retryAfter = Number(error.headers?.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(19);
      expect(retryAfter).toBeLessThanOrEqual(20);
      expect(ms).toBeLessThan(SLACK_MS);
    }
    // Each provider was asked once: the second request did not go upstream.
    expect(s.seen()).toEqual({ a: 1, b: 1 });
    const health = (await (await fetch(`${s.gateway.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'degraded', providersReady: 0 });
    expect(String(health.reason)).toContain('rate limited');
  });

  it('a fallback chain can start from a model no provider serves; a chain that leads nowhere is 404', async () => {
    const s = await setup(startTarget, [{ id: 'local', handler: faults.healthy, models: ['llama'] }], {
      MODEL_FALLBACKS: JSON.stringify({ smart: ['llama'], lost: ['nowhere'] }),
    });
    const { data, response } = await s.client.chat.completions
      .create({ model: 'smart', messages: MESSAGES })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello there');
    expect(response.headers.get('x-proxy-model')).toBe('llama');
    expect(response.headers.get('x-proxy-attempts')).toBe('1');
    await expect(
      s.client.chat.completions.create({ model: 'lost', messages: MESSAGES }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    expect(s.seen()).toEqual({ local: 1 });
  });
});
