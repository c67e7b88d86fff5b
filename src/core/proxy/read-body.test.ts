import { describe, expect, it, vi } from 'vitest';
import { InvalidRequestError, RequestTimeoutError } from '../errors/gateway-error.js';
import { fromWebRequest } from '../exchange/exchange.js';
import { readBody as readGatewayBody } from './read-body.js';

/** readBody on a Web Request, as the Web adapter hands it over. */
const readBody = (request: Request, options: { maxBytes: number }) =>
  readGatewayBody(fromWebRequest(request), options);

const URL_ = 'http://gw.example/v1/chat/completions';

function allBytes(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}

/** A body stream that hands out the given chunks on demand and records what happened to it. */
function chunkedSource(chunks: readonly Uint8Array[]) {
  const state = { pulls: 0, cancelled: false };
  let index = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls += 1;
        const chunk = chunks[index++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

function streamingRequest(stream: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request(URL_, { method: 'POST', body: stream, headers, duplex: 'half' } as RequestInit);
}

async function expectTooLarge(promise: Promise<unknown>, maxBytes: number): Promise<void> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a 413').toBeInstanceOf(InvalidRequestError);
  const error = thrown as InvalidRequestError;
  expect(error.status).toBe(413);
  expect(error.code).toBe('request_too_large');
  expect(error.type).toBe('invalid_request_error');
  expect(error.message).toContain(String(maxBytes));
  expect(error.message).toContain('MAX_BODY_BYTES');
}

describe('readBody', () => {
  it.each(['GET', 'HEAD'])('returns undefined for %s without touching the body', async (method) => {
    const request = new Request(URL_, { method, headers: { 'content-length': '999999' } });
    await expect(readBody(request, { maxBytes: 1 })).resolves.toBeUndefined();
  });

  it('returns an empty array for a POST without a body', async () => {
    const body = await readBody(new Request(URL_, { method: 'POST' }), { maxBytes: 10 });
    expect(body).toBeInstanceOf(Uint8Array);
    expect(body?.byteLength).toBe(0);
  });

  it('returns the exact bytes of a binary body with a Content-Length', async () => {
    const bytes = allBytes();
    const request = new Request(URL_, {
      method: 'POST',
      body: bytes,
      headers: { 'content-length': String(bytes.byteLength) },
    });
    expect(request.headers.get('content-length')).toBe('256');
    const body = await readBody(request, { maxBytes: 1024 });
    expect(body).toBeInstanceOf(Uint8Array);
    expect([...(body ?? [])]).toEqual([...bytes]);
  });

  it('returns the exact bytes of a body without a Content-Length', async () => {
    const request = new Request(URL_, { method: 'PUT', body: '{"model":"m","x":"é"}' });
    expect(request.headers.get('content-length')).toBeNull();
    const body = await readBody(request, { maxBytes: 1024 });
    expect(new TextDecoder().decode(body)).toBe('{"model":"m","x":"é"}');
  });

  it('joins a chunked stream without a Content-Length into the exact bytes', async () => {
    const bytes = allBytes();
    const { stream } = chunkedSource([
      bytes.slice(0, 1),
      bytes.slice(1, 100),
      bytes.slice(100, 255),
      bytes.slice(255),
    ]);
    const body = await readBody(streamingRequest(stream), { maxBytes: 1024 });
    expect(body?.byteLength).toBe(256);
    expect([...(body ?? [])]).toEqual([...bytes]);
  });

  it('returns a single-chunk stream unchanged', async () => {
    const { stream } = chunkedSource([new Uint8Array([1, 2, 3])]);
    const body = await readBody(streamingRequest(stream), { maxBytes: 3 });
    expect([...(body ?? [])]).toEqual([1, 2, 3]);
  });

  it('refuses a Content-Length over the limit without reading the body', async () => {
    const { stream, state } = chunkedSource([new Uint8Array(100)]);
    const request = streamingRequest(stream, { 'content-length': '100' });
    await expectTooLarge(readBody(request, { maxBytes: 99 }), 99);
    expect(state.pulls).toBe(0);
    expect(request.bodyUsed).toBe(false);
  });

  it('refuses a plain body whose Content-Length is over the limit', async () => {
    const request = new Request(URL_, {
      method: 'POST',
      body: 'x'.repeat(11),
      headers: { 'content-length': '11' },
    });
    await expectTooLarge(readBody(request, { maxBytes: 10 }), 10);
    expect(request.bodyUsed).toBe(false);
  });

  it('is done once the Content-Length bytes are in, without waiting for the stream to end', async () => {
    let pulls = 0;
    // Hands out the 4 declared bytes in two chunks, then never ends (as a keep-alive socket would not).
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls += 1;
          if (pulls <= 2) controller.enqueue(Uint8Array.of(pulls, pulls));
          else return new Promise<void>(() => {});
        },
      },
      { highWaterMark: 0 },
    );
    const body = await readBody(streamingRequest(stream, { 'content-length': '4' }), { maxBytes: 10 });
    expect(Array.from(body ?? [])).toEqual([1, 1, 2, 2]);
  });

  it('refuses a body larger than its (too small) Content-Length says', async () => {
    const request = new Request(URL_, {
      method: 'POST',
      body: 'x'.repeat(20),
      headers: { 'content-length': '5' },
    });
    await expectTooLarge(readBody(request, { maxBytes: 10 }), 10);
  });

  it('refuses a stream without Content-Length as soon as it passes the limit, and cancels it', async () => {
    const chunk = new Uint8Array(4);
    const { stream, state } = chunkedSource([chunk, chunk, chunk, chunk, chunk, chunk]);
    await expectTooLarge(readBody(streamingRequest(stream), { maxBytes: 10 }), 10);
    // 4 + 4 + 4 > 10: the third chunk is the last one read.
    expect(state.pulls).toBe(3);
    expect(state.cancelled).toBe(true);
  });

  it('accepts a stream of exactly the limit', async () => {
    const { stream } = chunkedSource([
      new Uint8Array([1, 2, 3, 4]),
      new Uint8Array([5, 6, 7, 8]),
      new Uint8Array([9, 10]),
    ]);
    const body = await readBody(streamingRequest(stream), { maxBytes: 10 });
    expect([...(body ?? [])]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('accepts a body with a Content-Length of exactly the limit', async () => {
    const request = new Request(URL_, {
      method: 'POST',
      body: 'abcdefghij',
      headers: { 'content-length': '10' },
    });
    const body = await readBody(request, { maxBytes: 10 });
    expect(new TextDecoder().decode(body)).toBe('abcdefghij');
  });

  it('refuses a stream one byte over the limit', async () => {
    const { stream } = chunkedSource([new Uint8Array(10), new Uint8Array(1)]);
    await expectTooLarge(readBody(streamingRequest(stream), { maxBytes: 10 }), 10);
  });
});

describe('readBody with upload timeouts', () => {
  /** A request whose body the test feeds by hand. */
  function slowRequest() {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const state = { cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        state.cancelled = true;
      },
    });
    return {
      request: streamingRequest(stream),
      state,
      send: (text: string) => {
        // Once the gateway gave up on the body, its stream is closed: what the client sends goes nowhere.
        if (!state.cancelled) controller?.enqueue(new TextEncoder().encode(text));
      },
      end: () => controller?.close(),
    };
  }

  async function expectTimeout(promise: Promise<unknown>, setting: string): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ status: 408, code: 'request_timeout', type: 'invalid_request_error' });
    expect((error as Error).message).toContain(setting);
  }

  it('answers 408 when the client goes silent for idleMs, and cancels the body', async () => {
    vi.useFakeTimers();
    try {
      const { request, state, send } = slowRequest();
      const reading = readGatewayBody(fromWebRequest(request), {
        maxBytes: 1024,
        timeouts: { idleMs: 1_000, deadline: Date.now() + 60_000, now: () => Date.now() },
      });
      const verdict = expectTimeout(reading, 'CLIENT_BODY_TIMEOUT_MS');
      send('{"a":');
      await vi.advanceTimersByTimeAsync(900);
      send('1');
      await vi.advanceTimersByTimeAsync(900);
      await vi.advanceTimersByTimeAsync(200);
      await verdict;
      expect(state.cancelled).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers 408 when the body is still arriving at the request's deadline, however steadily", async () => {
    vi.useFakeTimers();
    try {
      const { request, send } = slowRequest();
      const reading = readGatewayBody(fromWebRequest(request), {
        maxBytes: 1 << 20,
        timeouts: { idleMs: 1_000, deadline: Date.now() + 3_000, now: () => Date.now() },
      });
      const verdict = expectTimeout(reading, 'REQUEST_TIMEOUT_MS');
      for (let i = 0; i < 40; i++) {
        send('x');
        await vi.advanceTimersByTimeAsync(100);
      }
      await verdict;
    } finally {
      vi.useRealTimers();
    }
  });

  it('returns a body that arrives in time, its timer cancelled', async () => {
    vi.useFakeTimers();
    try {
      const { request, send, end } = slowRequest();
      const reading = readGatewayBody(fromWebRequest(request), {
        maxBytes: 1024,
        timeouts: { idleMs: 1_000, deadline: Date.now() + 60_000, now: () => Date.now() },
      });
      send('{"a":');
      await vi.advanceTimersByTimeAsync(500);
      send('1}');
      end();
      expect(new TextDecoder().decode(await reading)).toBe('{"a":1}');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
