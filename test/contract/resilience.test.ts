import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeUpstream,
  gate,
  startFakeUpstream,
  type UpstreamHandler,
} from '../fixtures/fake-upstream.js';
import { faults, inTurn, refusingUrl } from '../fixtures/faults.js';
import { CLIENT_KEY, TOKENS, targets } from './helpers.js';
import type { StartTarget, Target } from './targets.js';

const MESSAGES = [{ role: 'user' as const, content: 'Hi' }];
/** Short deadlines, so that every fault plays out in well under a second. */
const FAST = {
  UPSTREAM_HEADERS_TIMEOUT_MS: '400',
  FIRST_TOKEN_TIMEOUT_MS: '300',
  STREAM_IDLE_TIMEOUT_MS: '300',
  REQUEST_TIMEOUT_MS: '8000',
};

interface Scenario {
  upstreams: FakeUpstream[];
  gateway: Target;
  client: OpenAI;
  /** A plain chat completion, with the gateway's headers. */
  chat(): Promise<{ content: string | null | undefined; provider: string | null; attempts: string | null }>;
  /** A streamed chat completion, read to the end: the text, or the error the SDK raised. */
  stream(): Promise<{ text: string; error?: unknown; provider: string | null; attempts: string | null }>;
  /** Milliseconds between the arrivals of the given upstream's requests. */
  gaps(index: number): number[];
}

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** Providers a, b, ... in order (round-robin tries a first), each a fake upstream playing its handler. */
async function scenario(
  startTarget: StartTarget,
  handlers: (UpstreamHandler | 'refuse')[],
  env: Record<string, string> = {},
): Promise<Scenario> {
  const upstreams: FakeUpstream[] = [];
  const providers: { id: string; baseUrl: string; token: string }[] = [];
  for (const [index, handler] of handlers.entries()) {
    const id = String.fromCharCode(97 + index);
    if (handler === 'refuse') {
      providers.push({ id, baseUrl: await refusingUrl(), token: TOKENS.a });
      continue;
    }
    const upstream = await startFakeUpstream(handler);
    open.push(() => upstream.close());
    upstreams[index] = upstream;
    providers.push({ id, baseUrl: upstream.url, token: TOKENS.a });
  }
  const gateway = await startTarget({
    ADDITIONAL_PROVIDERS: JSON.stringify(providers),
    PROXY_API_KEYS: CLIENT_KEY,
    ...FAST,
    ...env,
  });
  open.unshift(() => gateway.close());
  const client = new OpenAI({
    apiKey: CLIENT_KEY,
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
    timeout: 15_000,
  });
  return {
    upstreams,
    gateway,
    client,
    async chat() {
      const { data, response } = await client.chat.completions
        .create({ model: 'fake-model', messages: MESSAGES })
        .withResponse();
      return {
        content: data.choices[0]?.message.content,
        provider: response.headers.get('x-proxy-provider'),
        attempts: response.headers.get('x-proxy-attempts'),
      };
    },
    async stream() {
      const { data, response } = await client.chat.completions
        .create({ model: 'fake-model', messages: MESSAGES, stream: true })
        .withResponse();
      let text = '';
      let error: unknown;
      try {
        for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
      } catch (caught) {
        error = caught;
      }
      return {
        text,
        error,
        provider: response.headers.get('x-proxy-provider'),
        attempts: response.headers.get('x-proxy-attempts'),
      };
    },
    gaps(index) {
      const times = (upstreams[index]?.requests ?? []).map((request) => request.at);
      return times.slice(1).map((time, i) => time - (times[i] as number));
    },
  };
}

/** The status and OpenAI error of a request the SDK rejected. */
async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) {
      return { status: error.status, code: error.code, message: error.message, headers: error.headers };
    }
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe.each(targets)('failover before the first byte (%s)', (_name, startTarget) => {
  it.each([
    ['connection refused', 'refuse' as const],
    ['a reset before the headers', faults.resetBeforeHeaders],
    ['no answer at all (headers deadline)', faults.neverAnswer],
    ['HTTP 503', faults.status(503)],
    ['HTTP 500', faults.status(500)],
    ['HTTP 429', faults.status(429)],
    ['HTTP 401 (the provider refuses the gateway token)', faults.status(401)],
    ['HTTP 403', faults.status(403)],
    ['a JSON answer cut midway', faults.cutMidway],
    ['a JSON answer that stalls midway', faults.stallMidway],
  ])('%s: the next provider answers, plain and streamed', async (_fault, handler) => {
    const s = await scenario(startTarget, [handler, faults.healthy]);
    const plain = await s.chat();
    expect(plain).toEqual({ content: 'Hello there', provider: 'b', attempts: '2' });
    const streamed = await s.stream();
    expect(streamed.error).toBeUndefined();
    expect(streamed.text).toBe('Hello there');
    expect(streamed.provider).toBe('b');
    // The faulty provider saw at most one attempt per request: no hammering.
    expect(s.upstreams[0]?.requests.length ?? 0).toBeLessThanOrEqual(2);
  });

  it('headers then a late first event: the stream moves on to the next provider, the slow one is cancelled', async () => {
    const s = await scenario(startTarget, [faults.lateFirstEvent(2000), faults.healthy]);
    const started = performance.now();
    const streamed = await s.stream();
    expect(streamed).toMatchObject({ text: 'Hello there', provider: 'b', attempts: '2' });
    expect(performance.now() - started).toBeLessThan(1500);
    expect((await s.upstreams[0]?.requests[0]?.closed)?.finished).toBe(false);
  });

  it('the only provider is waited on past FIRST_TOKEN_TIMEOUT_MS, within the budget, and asked once', async () => {
    const s = await scenario(startTarget, [faults.lateFirstEvent(700)]);
    const streamed = await s.stream();
    expect(streamed.error).toBeUndefined();
    expect(streamed.text).toBe('late but fine');
    expect(streamed.attempts).toBe('1');
    expect(s.upstreams[0]?.requests).toHaveLength(1);
  });

  it('500 once then 200 on the only provider: retried once, after a jittered pause', async () => {
    const s = await scenario(startTarget, [inTurn(faults.status(500), faults.healthy)]);
    expect(await s.chat()).toEqual({ content: 'Hello there', provider: 'a', attempts: '2' });
    expect(s.upstreams[0]?.requests).toHaveLength(2);
    expect(s.gaps(0)[0]).toBeGreaterThanOrEqual(95);
  });

  it('503 from every provider: 502 naming each, nothing of their bodies; served normally once healthy', async () => {
    const s = await scenario(startTarget, [faults.status(503), faults.status(503)]);
    const failed = await rejection(s.chat());
    expect(failed.status).toBe(502);
    expect(failed.code).toBe('upstream_failed');
    expect(failed.message).toContain('"a" failed (HTTP 503)');
    expect(failed.message).toContain('"b" failed (HTTP 503)');
    expect(failed.message).not.toContain('upstream says');
    expect(failed.headers?.get('x-proxy-attempts')).toBe('2');
    expect(s.upstreams.map((upstream) => upstream.requests.length)).toEqual([1, 1]);
    for (const upstream of s.upstreams) upstream.handle(faults.healthy);
    expect((await s.chat()).content).toBe('Hello there');
  });

  it('429 with Retry-After: 1 on the only provider: the retry waits the second it asked for', async () => {
    const s = await scenario(startTarget, [
      inTurn(faults.status(429, { 'retry-after': '1' }), faults.healthy),
    ]);
    expect(await s.chat()).toEqual({ content: 'Hello there', provider: 'a', attempts: '2' });
    expect(s.gaps(0)[0]).toBeGreaterThanOrEqual(990);
  });

  it('429 with a long Retry-After: 429 at once carrying Retry-After, then the provider is left alone until then', async () => {
    const s = await scenario(startTarget, [faults.status(429, { 'retry-after': '30' })]);
    const started = performance.now();
    const failed = await rejection(s.chat());
    expect(performance.now() - started).toBeLessThan(2000);
    expect(failed.status).toBe(429);
    expect(failed.code).toBe('rate_limit_exceeded');
    expect(Number(failed.headers?.get('retry-after'))).toBeGreaterThanOrEqual(29);
    const next = await rejection(s.chat());
    expect(next.status).toBe(429);
    expect(Number(next.headers?.get('retry-after'))).toBeGreaterThanOrEqual(28);
    expect(s.upstreams[0]?.requests).toHaveLength(1);
  });

  it('429 without Retry-After: exponential backoff with jitter before the retry', async () => {
    const s = await scenario(startTarget, [inTurn(faults.status(429), faults.healthy)]);
    expect((await s.chat()).attempts).toBe('2');
    expect(s.gaps(0)[0]).toBeGreaterThanOrEqual(95);
  });

  it('400 context_length_exceeded: passed through as it is, never retried', async () => {
    const s = await scenario(startTarget, [faults.contextLengthExceeded, faults.healthy]);
    const failed = await rejection(s.chat());
    expect(failed.status).toBe(400);
    expect(failed.code).toBe('context_length_exceeded');
    expect(failed.message).toContain('maximum context length');
    expect(s.upstreams[1]?.requests).toHaveLength(0);
  });

  it('every provider silent: 504 inside REQUEST_TIMEOUT_MS, with the ids tried', async () => {
    const s = await scenario(startTarget, [faults.neverAnswer, faults.neverAnswer], {
      UPSTREAM_HEADERS_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '600',
    });
    const started = performance.now();
    const failed = await rejection(s.chat());
    expect(performance.now() - started).toBeLessThan(2000);
    expect(failed.status).toBe(504);
    expect(failed.code).toBe('upstream_timeout');
    expect(failed.message).toContain('"a"');
  });
});

describe.each(targets)('failures after the first byte (%s)', (_name, startTarget) => {
  it.each([
    ['stalls past STREAM_IDLE_TIMEOUT_MS', faults.stallMidway, 'upstream_stream_stalled'],
    ['is cut', faults.cutMidway, 'upstream_stream_interrupted'],
    ['ends without [DONE]', faults.endWithoutDone, 'upstream_stream_incomplete'],
  ])(
    'a stream that %s ends with an error event and no [DONE]: the SDK raises',
    async (_fault, handler, code) => {
      // One provider: after the first byte there is no going elsewhere, and the raw look below hits it again.
      const s = await scenario(startTarget, [handler]);
      const streamed = await s.stream();
      expect(streamed.provider).toBe('a');
      expect(streamed.error).toBeInstanceOf(OpenAI.APIError);
      expect((streamed.error as InstanceType<typeof OpenAI.APIError>).code).toBe(code);
      // Raw: the error event is last, and no [DONE] came.
      s.upstreams[0]?.handle(handler);
      const raw = await fetch(`${s.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fake-model', stream: true, messages: MESSAGES }),
      });
      const text = await raw.text();
      expect(text).not.toContain('data: [DONE]');
      expect(text.trim().split('\n\n').at(-1)).toContain(`"code":"${code}"`);
      // ...and the gateway goes on serving.
      for (const upstream of s.upstreams) upstream.handle(faults.healthy);
      expect((await s.stream()).text).toBe('Hello there');
    },
  );

  it('a malformed event is passed on as sent: the SDK raises on it', async () => {
    const s = await scenario(startTarget, [faults.malformedEvent]);
    const streamed = await s.stream();
    expect(streamed.text).toBe('fine so far');
    expect(streamed.error).toBeInstanceOf(Error);
  });
});

describe.each(targets)('circuit breaker (%s)', (_name, startTarget) => {
  it('opens after repeated failures, skips the provider, probes it after the cooldown and closes on success', async () => {
    const s = await scenario(startTarget, [faults.status(503), faults.healthy], {
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_COOLDOWN_MS: '1000',
    });
    const headers = { authorization: `Bearer ${CLIENT_KEY}` };
    const stats = async () =>
      (
        (await (await fetch(`${s.gateway.url}/stats`, { headers })).json()) as {
          providers: Record<string, unknown>[];
        }
      ).providers[0];
    const health = async () =>
      ((await (await fetch(`${s.gateway.url}/health`)).json()) as { status: string }).status;

    // Two failures open a's breaker. Round-robin does not send every request to a first, and backoff keeps a
    // out for a moment after each failure: go on until a has failed twice. Every request is answered by b.
    for (let i = 0; i < 10 && (s.upstreams[0]?.requests.length ?? 0) < 2; i++) {
      expect((await s.chat()).provider).toBe('b');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(s.upstreams[0]?.requests).toHaveLength(2);
    expect(await stats()).toMatchObject({ breaker: 'open', consecutiveFailures: 2, lastError: 'http_503' });
    expect((await stats())?.cooldownUntil).toEqual(expect.any(String));
    expect(await health()).toBe('degraded');

    // While open, a is skipped altogether.
    for (let i = 0; i < 4; i++) expect(await s.chat()).toMatchObject({ provider: 'b', attempts: '1' });
    expect(s.upstreams[0]?.requests).toHaveLength(2);

    // After the cooldown one probe goes through; a is healthy again, so the breaker closes.
    s.upstreams[0]?.handle(faults.healthy);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const served = [];
    for (let i = 0; i < 4; i++) served.push((await s.chat()).provider);
    expect(served).toContain('a');
    expect(await stats()).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    expect(await health()).toBe('ok');
  });

  it('with every breaker open, still tries the provider whose cooldown ends first', async () => {
    const s = await scenario(startTarget, [faults.status(503), faults.status(503)], {
      BREAKER_FAILURE_THRESHOLD: '1',
      BREAKER_COOLDOWN_MS: '60000',
    });
    await rejection(s.chat());
    await new Promise((resolve) => setTimeout(resolve, 250));
    s.upstreams[0]?.handle(faults.healthy);
    // Both open for a minute; rather than refusing, the gateway tries the one that opened first.
    expect(await s.chat()).toMatchObject({ content: 'Hello there', provider: 'a' });
  });
});

describe('no socket or timer left behind (node)', () => {
  it('returns to the baseline of handles after every kind of fault', async () => {
    const [, startNode] = targets.find(([name]) => name === 'node') as [string, StartTarget];
    const count = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP')).length;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
    await settle();
    const baseline = count();
    const handlers = [
      faults.neverAnswer,
      faults.resetBeforeHeaders,
      faults.stallMidway,
      faults.cutMidway,
      faults.lateFirstEvent(2000),
      faults.endWithoutDone,
      faults.status(429, { 'retry-after': '30' }),
    ];
    for (const handler of handlers) {
      const s = await scenario(startNode, [handler, faults.healthy]);
      await s.chat().catch(() => {});
      await s.stream().catch(() => {});
      const held = gate();
      setTimeout(held.open, 50);
      await held.promise;
      for (const close of open.splice(0)) await close();
    }
    await settle();
    expect(count()).toBeLessThanOrEqual(baseline);
  });
});
