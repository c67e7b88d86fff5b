import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listSource, pushSource } from '../../../test/fixtures/scripted-source.js';
import { bodyStream } from '../exchange/exchange.js';
import { DecodedBodyTooLargeError } from '../providers/decoded-limit.js';
import {
  awaitFirstEvent,
  errorEvent,
  type RelayOptions,
  relayEventStream as relaySource,
} from './event-stream.js';

/** The body source as the Web adapter serves it. */
const relayEventStream = (options: RelayOptions) => bodyStream(relaySource(options));

import type { BodyOutcome } from '../exchange/request-record.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const text = (chunks: readonly Uint8Array[]) => chunks.map((chunk) => decoder.decode(chunk)).join('');

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function aborter() {
  const aborts = { count: 0 };
  return {
    aborts,
    abort: () => {
      aborts.count += 1;
    },
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

/** The `error` object of an SSE error event (`data: {"error":{...}}`). */
function parseErrorEvent(event: string): unknown {
  const match = /^data: (.*)\n\n$/.exec(event);
  if (match?.[1] === undefined) throw new Error(`not an SSE data event: ${JSON.stringify(event)}`);
  return JSON.parse(match[1]);
}

describe('errorEvent', () => {
  it("is a data event carrying an error in OpenAI's shape", () => {
    expect(parseErrorEvent(decoder.decode(errorEvent('some_code', 'Went "wrong".')))).toEqual({
      error: { message: 'Went "wrong".', type: 'api_error', param: null, code: 'some_code' },
    });
  });
});

describe('awaitFirstEvent', () => {
  const first = (reader: ReadableStreamDefaultReader<Uint8Array>, abort = () => {}) =>
    awaitFirstEvent(reader, { deadlineMs: 10_000, maxBytes: 1 << 20, abort });

  it('returns the held bytes when a whole event arrives in one chunk', async () => {
    const { reader, state } = listSource(['data: {"a":1}\n\n', 'data: {"b":2}\n\n']);
    const result = await first(reader);
    expect(result.ok && decoder.decode(result.held)).toBe('data: {"a":1}\n\n');
    expect(state.pulls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds every chunk of an event split across chunks', async () => {
    const { reader } = listSource(['da', 'ta: {"a"', ':1}\n', '\n']);
    const result = await first(reader);
    expect(result.ok && decoder.decode(result.held)).toBe('data: {"a":1}\n\n');
  });

  it('recognises \\r\\n line endings, split across chunks too', async () => {
    const whole = await first(listSource(['data: x\r\n\r\n']).reader);
    expect(whole.ok && decoder.decode(whole.held)).toBe('data: x\r\n\r\n');
    const split = await first(listSource(['data: x\r', '\n', '\r', '\n']).reader);
    expect(split.ok && decoder.decode(split.held)).toBe('data: x\r\n\r\n');
  });

  it('holds what came after the first event in the same chunk', async () => {
    const result = await first(listSource(['data: 1\n\ndata: 2']).reader);
    expect(result.ok && decoder.decode(result.held)).toBe('data: 1\n\ndata: 2');
  });

  it('counts an event with only an event: or id: field', async () => {
    const result = await first(listSource(['event: ping\n\n']).reader);
    expect(result.ok).toBe(true);
  });

  it('does not count comments as an event', async () => {
    const { reader } = listSource([': ping\n\n', ':keep-alive\r\n\r\n']);
    expect(await first(reader)).toEqual({ ok: false, reason: 'ended' });
  });

  it('holds comments that came before the first event', async () => {
    const result = await first(listSource([': ping\n\n', 'data: x\n\n']).reader);
    expect(result.ok && decoder.decode(result.held)).toBe(': ping\n\ndata: x\n\n');
  });

  it('does not count an event with no blank line after it yet', async () => {
    const { reader } = listSource(['data: x\n']);
    expect(await first(reader)).toEqual({ ok: false, reason: 'ended' });
  });

  it('is "too_large" past maxBytes without an event boundary, holding no more, aborting and cancelling', async () => {
    const { reader, state } = listSource(Array.from({ length: 100 }, () => 'x'.repeat(100)));
    const { abort, aborts } = aborter();
    const result = await awaitFirstEvent(reader, { deadlineMs: 10_000, maxBytes: 1_000, abort });
    expect(result).toEqual({ ok: false, reason: 'too_large' });
    // 1_000 bytes allowed: the eleventh chunk of 100 passes the cap, and nothing more is read.
    expect(state.pulls).toBe(11);
    expect(aborts.count).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(state.cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds a first event that fits maxBytes exactly', async () => {
    const event = 'data: 12345\n\n';
    const result = await awaitFirstEvent(listSource([event]).reader, {
      deadlineMs: 10_000,
      maxBytes: event.length,
      abort: () => {},
    });
    expect(result.ok).toBe(true);
  });

  it('is "too_large" when the decoded body passes its cap', async () => {
    const reader = {
      read: () => Promise.reject(new DecodedBodyTooLargeError(10)),
      cancel: async () => {},
    };
    expect(await first(reader as unknown as ReadableStreamDefaultReader<Uint8Array>)).toEqual({
      ok: false,
      reason: 'too_large',
    });
  });

  it('is "ended" when the stream ends first, even with no byte', async () => {
    expect(await first(listSource([]).reader)).toEqual({ ok: false, reason: 'ended' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is "failed" when the stream errors', async () => {
    const { abort, aborts } = aborter();
    expect(await first(listSource(['data: x'], { failAfter: 1 }).reader, abort)).toEqual({
      ok: false,
      reason: 'failed',
    });
    expect(aborts.count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is "timeout" past deadlineMs, aborting the request and cancelling the stream', async () => {
    const { reader, state, push } = pushSource();
    const { abort, aborts } = aborter();
    let result: unknown;
    void awaitFirstEvent(reader, { deadlineMs: 5_000, maxBytes: 1 << 20, abort }).then((value) => {
      result = value;
    });
    push(': ping\n\n');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(result).toBeUndefined();
    expect(aborts.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toEqual({ ok: false, reason: 'timeout' });
    expect(aborts.count).toBe(1);
    expect(state.cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const euro = bytes('data: €\n\n');
    const result = await first(listSource([euro.subarray(0, 7), euro.subarray(7)]).reader);
    expect(result.ok && decoder.decode(result.held)).toBe('data: €\n\n');
  });

  // The text decoder must be per call: a multi-byte character cut at the end of one stream's chunk must not
  // leak into another stream's text, where a stray U+FFFD in front of ": ping" makes the comment an "event".
  it('keeps concurrent streams apart: a cut character in one does not turn a comment in another into an event', async () => {
    const a = pushSource();
    const pendingA = first(a.reader);
    a.push(new Uint8Array([...bytes('data: '), 0xc3])); // "é" is C3 A9: cut after its first byte.
    await vi.advanceTimersByTimeAsync(0);
    const resultB = await first(listSource([': ping\n\n']).reader);
    a.push(new Uint8Array([0xa9, 0x0a, 0x0a]));
    const resultA = await pendingA;
    expect(resultA.ok && decoder.decode(resultA.held)).toBe('data: é\n\n');
    expect(resultB).toEqual({ ok: false, reason: 'ended' });
  });
});

describe('relayEventStream', () => {
  function relay(
    source: { reader: ReadableStreamDefaultReader<Uint8Array> },
    overrides: Partial<Omit<RelayOptions, 'reader' | 'onEnd' | 'abort'>> = {},
  ) {
    const outcomes: BodyOutcome[] = [];
    const { abort, aborts } = aborter();
    const stream = relayEventStream({
      held: bytes('data: {"n":0}\n\n'),
      reader: source.reader,
      abort,
      idleMs: 1_000,
      now: () => Date.now(),
      expectDone: true,
      failureCode: () => undefined,
      onEnd: (outcome) => outcomes.push(outcome),
      ...overrides,
    });
    return { stream, outcomes, aborts };
  }

  it('sends the held bytes, then every chunk unchanged', async () => {
    const chunks = [
      'data: {"n":1}\n\n',
      new Uint8Array([0xe2, 0x82]),
      new Uint8Array([0xac]),
      'data: [DONE]\n\n',
    ];
    const { stream, outcomes, aborts } = relay(listSource(chunks));
    const out = await readAll(stream);
    expect(out).toEqual([
      bytes('data: {"n":0}\n\n'),
      ...chunks.map((chunk) => (typeof chunk === 'string' ? bytes(chunk) : chunk)),
    ]);
    expect(outcomes).toEqual(['complete']);
    expect(aborts.count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reads nothing ahead of the client', async () => {
    const source = listSource(['data: 1\n\n', 'data: 2\n\n', 'data: [DONE]\n\n']);
    const { stream } = relay(source);
    const reader = stream.getReader();
    await vi.advanceTimersByTimeAsync(0);
    expect(source.state.pulls).toBe(0);
    expect(decoder.decode((await reader.read()).value)).toBe('data: {"n":0}\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(source.state.pulls).toBe(0);
    expect(decoder.decode((await reader.read()).value)).toBe('data: 1\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(source.state.pulls).toBe(1);
    expect(decoder.decode((await reader.read()).value)).toBe('data: 2\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(source.state.pulls).toBe(2);
    await reader.cancel();
  });

  it('ends an interrupted stream with an error event and no [DONE]', async () => {
    const { stream, outcomes, aborts } = relay(listSource(['data: {"n":1}\n\n'], { failAfter: 1 }));
    const out = await readAll(stream);
    expect(out).toHaveLength(3);
    expect(text(out.slice(0, 2))).toBe('data: {"n":0}\n\ndata: {"n":1}\n\n');
    expect(parseErrorEvent(text(out.slice(2)))).toEqual({
      error: {
        message: 'The upstream stream was interrupted before it completed.',
        type: 'api_error',
        param: null,
        code: 'upstream_stream_interrupted',
      },
    });
    expect(text(out)).not.toContain('[DONE]');
    expect(outcomes).toEqual(['failed']);
    expect(aborts.count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("uses failureCode()'s code for an interrupted stream when it gives one", async () => {
    const { stream, outcomes } = relay(listSource([], { failAfter: 0 }), {
      failureCode: () => 'upstream_timeout',
    });
    const out = await readAll(stream);
    expect(parseErrorEvent(text(out.slice(1)))).toMatchObject({ error: { code: 'upstream_timeout' } });
    expect(outcomes).toEqual(['failed']);
  });

  it('ends a stream that closes without [DONE] with an upstream_stream_incomplete error event', async () => {
    const { stream, outcomes } = relay(listSource(['data: {"n":1}\n\n']));
    const out = await readAll(stream);
    expect(text(out.slice(0, 2))).toBe('data: {"n":0}\n\ndata: {"n":1}\n\n');
    expect(parseErrorEvent(text(out.slice(2)))).toEqual({
      error: {
        message: 'The upstream stream ended without its final [DONE] event.',
        type: 'api_error',
        param: null,
        code: 'upstream_stream_incomplete',
      },
    });
    expect(outcomes).toEqual(['failed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes a [DONE] followed by another event as incomplete', async () => {
    const { stream, outcomes } = relay(listSource(['data: [DONE]\n\n', 'data: {"late":1}\n\n']));
    const out = await readAll(stream);
    expect(text(out)).toContain('upstream_stream_incomplete');
    expect(outcomes).toEqual(['failed']);
  });

  it.each([
    ['in the last chunk', ['data: {"n":1}\n\n', 'data: [DONE]\n\n']],
    ['split across the last two chunks', ['data: {"n":1}\n\ndata: [DO', 'NE]\n\n']],
    ['split right after "data:"', ['data:', ' [DONE]\n\n']],
    ['followed by blank lines', ['data: [DONE]\n\n', '\n\n']],
    ['with \\r\\n line endings', ['data: [DONE]\r\n\r\n']],
    ['with no space and no newline', ['data:[DONE]']],
    ['at the end of a long last chunk', [`data: {"text":"${'x'.repeat(200)}"}\n\ndata: [DONE]\n\n`]],
    ['after a long chunk, in a short one', [`data: {"text":"${'x'.repeat(200)}"}\n\n`, 'data: [DONE]\n\n']],
  ])('completes with [DONE] %s, appending nothing', async (_, chunks) => {
    const { stream, outcomes } = relay(listSource(chunks));
    const out = await readAll(stream);
    expect(text(out)).toBe(`data: {"n":0}\n\n${chunks.join('')}`);
    expect(outcomes).toEqual(['complete']);
  });

  it.each([
    ['after a chunk with a finish_reason', 'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'],
    [
      'after the finish_reason and a usage chunk',
      'data: {"choices":[{"finish_reason":"length"}]}\n\ndata: {"choices":[],"usage":{"total_tokens":3}}\n\n',
    ],
  ])('a clean end without [DONE] %s is complete: [DONE] appended', async (_, last) => {
    const { stream, outcomes } = relay(listSource(['data: {"n":1}\n\n', last]));
    const out = text(await readAll(stream));
    expect(out).toBe(`data: {"n":0}\n\ndata: {"n":1}\n\n${last}data: [DONE]\n\n`);
    expect(outcomes).toEqual(['complete']);
  });

  it.each([
    ['a null finish_reason', ['data: {"choices":[{"finish_reason":null}]}\n\n']],
    ['a finish_reason in a half-sent event', ['data: {"choices":[{"finish_reason":"stop"}]']],
  ])('a clean end after %s is still incomplete', async (_, chunks) => {
    const { stream, outcomes } = relay(listSource(chunks));
    expect(text(await readAll(stream))).toContain('upstream_stream_incomplete');
    expect(outcomes).toEqual(['failed']);
  });

  describe('with a continuation', () => {
    const continued = (events: string[]) => {
      const source = listSource(events);
      return {
        start: () => {},
        pull: (controller: { enqueue(chunk: Uint8Array): void; close(): void }) =>
          source.stream
            .getReader()
            .read()
            .then(() => {
              for (const event of events) controller.enqueue(bytes(event));
              controller.close();
            }),
        cancel: () => {},
      };
    };

    it('sends whole events only, shows each to the hook, and relays the continued stream after a cut', async () => {
      const delivered: string[] = [];
      const failed: boolean[] = [];
      const { stream, outcomes } = relay(
        listSource(['data: {"n":1}\n\nda', 'ta: {"n":2}\n\ndata: {"n'], { failAfter: 2 }),
        {
          continuation: {
            delivered: (chunk) => delivered.push(decoder.decode(chunk)),
            resume: async () => continued(['data: {"n":3}\n\n', 'data: [DONE]\n\n']),
          },
          onUpstreamFailed: (stalled) => failed.push(stalled),
        },
      );
      const out = text(await readAll(stream));
      // The half event "data: {"n" never reached the client: the continued stream follows whole events.
      expect(out).toBe(
        'data: {"n":0}\n\ndata: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: [DONE]\n\n',
      );
      expect(delivered.join('')).toBe('data: {"n":0}\n\ndata: {"n":1}\n\ndata: {"n":2}\n\n');
      expect(failed).toEqual([false]);
      // The continued stream's own attempt reports how the request ended.
      expect(outcomes).toEqual([]);
    });

    it('ends with the original error event when no candidate takes it', async () => {
      const { stream, outcomes } = relay(listSource(['data: {"n":1}\n\n'], { failAfter: 1 }), {
        continuation: { delivered: () => {}, resume: async () => undefined },
      });
      const out = text(await readAll(stream));
      expect(out).toContain('"code":"upstream_stream_interrupted"');
      expect(out).not.toContain('[DONE]');
      expect(outcomes).toEqual(['failed']);
    });

    it('gives the continuation up for an event longer than MAX_PARTIAL_EVENT_BYTES: all goes on as it comes', async () => {
      let resumed = 0;
      const long = `data: {"n":"${'x'.repeat(256 * 1024)}`;
      const chunks = ['data: {"n":1}\n\n', long, long, long, long, long, '"}\n\n'];
      const { stream, outcomes } = relay(listSource(chunks, { failAfter: chunks.length }), {
        continuation: {
          delivered: () => {},
          resume: async () => {
            resumed += 1;
            return undefined;
          },
        },
      });
      const out = text(await readAll(stream));
      // Nothing held back past the cap, nothing lost, and no continuation asked for once given up.
      expect(out.startsWith(`data: {"n":0}\n\n${chunks.join('')}`)).toBe(true);
      expect(out).toContain('"code":"upstream_stream_interrupted"');
      expect(resumed).toBe(0);
      expect(outcomes).toEqual(['failed']);
    });

    it('is not asked for a stream that completed', async () => {
      let resumed = 0;
      const { stream, outcomes } = relay(listSource(['data: [DONE]\n\n']), {
        continuation: {
          delivered: () => {},
          resume: async () => {
            resumed += 1;
            return undefined;
          },
        },
      });
      await readAll(stream);
      expect(resumed).toBe(0);
      expect(outcomes).toEqual(['complete']);
    });
  });

  it('completes when [DONE] was already in the held bytes', async () => {
    const { stream, outcomes } = relay(listSource([]), { held: bytes('data: [DONE]\n\n') });
    expect(text(await readAll(stream))).toBe('data: [DONE]\n\n');
    expect(outcomes).toEqual(['complete']);
  });

  it('does not look for [DONE] when expectDone is false', async () => {
    const { stream, outcomes } = relay(listSource(['data: {"n":1}\n\n']), { expectDone: false });
    expect(text(await readAll(stream))).toBe('data: {"n":0}\n\ndata: {"n":1}\n\n');
    expect(outcomes).toEqual(['complete']);
  });

  it('still reports an interrupted stream when expectDone is false', async () => {
    const { stream, outcomes } = relay(listSource([], { failAfter: 0 }), { expectDone: false });
    expect(text(await readAll(stream))).toContain('upstream_stream_interrupted');
    expect(outcomes).toEqual(['failed']);
  });

  it('aborts a stream silent for idleMs and ends it with an upstream_stream_stalled error event', async () => {
    const source = pushSource();
    const { stream, outcomes, aborts } = relay(source, { idleMs: 1_000 });
    const out: Uint8Array[] = [];
    let closed = false;
    const reader = stream.getReader();
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        out.push(value);
      }
      closed = true;
    })();
    await vi.advanceTimersByTimeAsync(600);
    source.push('data: {"n":1}\n\n');
    await vi.advanceTimersByTimeAsync(999);
    expect(aborts.count).toBe(0);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(aborts.count).toBe(1);
    expect(source.state.cancelled).toBe(true);
    expect(closed).toBe(true);
    expect(text(out.slice(0, 2))).toBe('data: {"n":0}\n\ndata: {"n":1}\n\n');
    expect(parseErrorEvent(text(out.slice(2)))).toEqual({
      error: {
        message: 'The upstream stream went silent for 1000 ms (STREAM_IDLE_TIMEOUT_MS) before it completed.',
        type: 'api_error',
        param: null,
        code: 'upstream_stream_stalled',
      },
    });
    expect(outcomes).toEqual(['failed']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is not stalled while chunks keep coming within idleMs', async () => {
    const source = pushSource();
    const { stream, outcomes, aborts } = relay(source, { idleMs: 1_000 });
    const reading = readAll(stream);
    for (let i = 1; i <= 10; i++) {
      await vi.advanceTimersByTimeAsync(900);
      source.push(`data: {"n":${i}}\n\n`);
    }
    source.push('data: [DONE]\n\n');
    source.close();
    const out = await reading;
    expect(text(out)).not.toContain('error');
    expect(outcomes).toEqual(['complete']);
    expect(aborts.count).toBe(0);
  });

  // The watchdog is for an upstream gone silent: time spent waiting for the client to ask for more is not
  // upstream silence. Today the clock runs from the last chunk read, pulled or not, so a client that pauses
  // reading for idleMs gets a "stalled" error although upstream has data ready, and the provider is charged
  // with the failure (attempt.ts records stream_interrupted).
  it('does not take a client that pauses reading for an upstream stall', async () => {
    const source = listSource(['data: {"n":1}\n\n', 'data: [DONE]\n\n']);
    const { stream, outcomes, aborts } = relay(source, { idleMs: 1_000 });
    const reader = stream.getReader();
    await reader.read(); // The held event.
    await vi.advanceTimersByTimeAsync(2_500); // The client is busy; upstream has its next chunks ready.
    const rest: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest.push(value);
    }
    expect(text(rest)).toBe('data: {"n":1}\n\ndata: [DONE]\n\n');
    expect(outcomes).toEqual(['complete']);
    expect(aborts.count).toBe(0);
  });

  it('on cancel by the client, ends as cancelled, aborts the request and cancels the upstream', async () => {
    const source = listSource(['data: 1\n\n', 'data: [DONE]\n\n']);
    const { stream, outcomes, aborts } = relay(source);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(outcomes).toEqual(['cancelled']);
    expect(aborts.count).toBe(1);
    expect(source.state.cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('calls onEnd once when the client cancels after the end', async () => {
    const { stream, outcomes } = relay(listSource(['data: [DONE]\n\n']));
    const reader = stream.getReader();
    for (;;) if ((await reader.read()).done) break;
    await reader.cancel();
    expect(outcomes).toEqual(['complete']);
  });
});
