import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chatChunk,
  type FakeUpstream,
  gate,
  openAiLike,
  startFakeUpstream,
  startSse,
} from '../fixtures/fake-upstream.js';
import { auth, CLIENT_KEY, TOKENS, targets } from './helpers.js';
import type { StartTarget, Target } from './targets.js';

const decoder = new TextDecoder();

/** Fails the test with a clear message instead of hanging until the test timeout. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms),
    ),
  ]);
}

/** A gateway in front of one fake upstream, for the whole describe block. */
function gatewayInFront(startTarget: StartTarget) {
  const context = {} as { upstream: FakeUpstream; gateway: Target };
  beforeAll(async () => {
    context.upstream = await startFakeUpstream();
    context.gateway = await startTarget({
      DEFAULT_OPENAI_PROVIDER: context.upstream.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
    });
  });
  afterEach(() => {
    context.upstream.requests.length = 0;
    context.upstream.handle(openAiLike);
  });
  afterAll(async () => {
    await context.gateway.close();
    await context.upstream.close();
  });
  const post = (signal?: AbortSignal) =>
    fetch(`${context.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-model', stream: true, messages: [] }),
      ...(signal ? { signal } : {}),
    });
  return { context, post };
}

describe.each(targets)('streaming (%s)', (_name, startTarget) => {
  const { context, post } = gatewayInFront(startTarget);

  it('delivers each event before the upstream sends the next (nothing buffered on the way)', async () => {
    const clientHasFirst = gate();
    const upstreamSentSecond = gate();
    context.upstream.handle(async (_request, res) => {
      startSse(res);
      res.write(chatChunk('first'));
      // The upstream holds the second event until the client has read the first one.
      await clientHasFirst.promise;
      res.write(chatChunk('second'));
      upstreamSentSecond.open();
      res.end('data: [DONE]\n\n');
    });
    const response = await within(3000, post(), 'the response headers');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-proxy-provider')).toBe('default');
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('first')) {
      const { value, done } = await within(3000, reader.read(), 'the first event reaching the client');
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    expect(received).toContain('"content":"first"');
    expect(received).not.toContain('second');
    clientHasFirst.open();
    await within(3000, upstreamSentSecond.promise, 'the upstream sending the second event');
    for (;;) {
      const { value, done } = await within(3000, reader.read(), 'the rest of the stream');
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    expect(received).toContain('"content":"second"');
    expect(received.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('ends a stream that breaks after its first byte with an error event and no [DONE]', async () => {
    context.upstream.handle((_request, res) => {
      startSse(res);
      res.write(chatChunk('partial'));
      setTimeout(() => res.destroy(), 50);
    });
    const response = await post();
    expect(response.status).toBe(200);
    const text = await within(3000, response.text(), 'the stream ending');
    expect(text).toContain('"content":"partial"');
    expect(text).not.toContain('[DONE]');
    const last = text.trim().split('\n\n').at(-1) ?? '';
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({
      error: { type: 'api_error', code: 'upstream_stream_interrupted' },
    });
  });
});

// Node only: local workerd (Miniflare) reports a client disconnect to the Worker only intermittently (seen:
// within 2 ms in some runs, not within 12 s in others, whatever the enable_request_signal flag), so there
// the check would test the local runtime, not the gateway. The Worker handles both signals it can get:
// request.signal (with enable_request_signal) and the response body's cancel.
describe.each(targets.filter(([name]) => name === 'node'))(
  'client disconnects (%s)',
  (_name, startTarget) => {
    const { context, post } = gatewayInFront(startTarget);

    it('cancels the upstream request when the client disconnects mid-stream', async () => {
      context.upstream.handle((_request, res) => {
        startSse(res);
        res.write(chatChunk('first'));
        // A token every 100 ms, and never an end of its own.
        const timer = setInterval(() => res.write(chatChunk('more')), 100);
        res.on('close', () => clearInterval(timer));
      });
      const controller = new AbortController();
      const response = await post(controller.signal);
      const reader = response.body!.getReader();
      await within(3000, reader.read(), 'the first event');
      controller.abort();
      const closed = await within(3000, context.upstream.requests[0]!.closed, 'the upstream request closing');
      expect(closed.finished).toBe(false);
      const stats = await (await fetch(`${context.gateway.url}/stats`, { headers: auth() })).json();
      expect(stats.providers[0]).toMatchObject({ id: 'default', inFlight: 0, errors: 0 });
    });

    it('cancels the upstream request when the client disconnects before the headers came', async () => {
      const arrived = gate();
      context.upstream.handle(() => arrived.open());
      const controller = new AbortController();
      const pending = post(controller.signal).catch((error: unknown) => error);
      await within(3000, arrived.promise, 'the request reaching the upstream');
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      const closed = await within(3000, context.upstream.requests[0]!.closed, 'the upstream request closing');
      expect(closed.finished).toBe(false);
    });
  },
);
