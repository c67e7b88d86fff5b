import { describe, expect, it, vi } from 'vitest';
import { listSource, pushSource } from '../../../test/fixtures/scripted-source.js';
import { bodyStream } from '../exchange/exchange.js';
import type { BodyOutcome } from '../exchange/request-record.js';
import { observeBody as observeSource } from './observe-body.js';

/** The body source as the Web adapter serves it. */
const observeBody = (...args: Parameters<typeof observeSource>) => bodyStream(observeSource(...args));

const encoder = new TextEncoder();

function recorder() {
  const outcomes: BodyOutcome[] = [];
  return { outcomes, onEnd: (outcome: BodyOutcome) => outcomes.push(outcome) };
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

/** Lets pending promise jobs and timers run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

describe('observeBody', () => {
  it('passes every chunk through unchanged, in order', async () => {
    const chunks = [
      encoder.encode('data: 1\n\n'),
      new Uint8Array([0, 255, 7]),
      encoder.encode('data: [DONE]\n\n'),
    ];
    const { stream } = listSource(chunks);
    const { onEnd } = recorder();
    const out = await readAll(observeBody(stream.getReader(), { onEnd }));
    expect(out).toHaveLength(3);
    expect(out.map((chunk) => [...chunk])).toEqual(chunks.map((chunk) => [...chunk]));
  });

  it('hands on the very same chunk objects (no copy, no buffering)', async () => {
    const chunk = encoder.encode('hello');
    const { stream } = listSource([chunk]);
    const out = await readAll(observeBody(stream.getReader(), { onEnd: () => {} }));
    expect(out[0]).toBe(chunk);
  });

  it("calls onEnd('complete') once, only when the end is read", async () => {
    const { stream } = listSource([encoder.encode('a'), encoder.encode('b')]);
    const { outcomes, onEnd } = recorder();
    const reader = observeBody(stream.getReader(), { onEnd }).getReader();
    await reader.read();
    await reader.read();
    expect(outcomes).toEqual([]);
    expect((await reader.read()).done).toBe(true);
    expect(outcomes).toEqual(['complete']);
    await reader.read();
    await settle();
    expect(outcomes).toEqual(['complete']);
  });

  it("calls onEnd('complete') for an empty body", async () => {
    const { stream } = listSource([]);
    const { outcomes, onEnd } = recorder();
    expect(await readAll(observeBody(stream.getReader(), { onEnd }))).toEqual([]);
    expect(outcomes).toEqual(['complete']);
  });

  it("on cancel calls onEnd('cancelled') and cancels the source with the reason", async () => {
    const { stream, state } = listSource([encoder.encode('a'), encoder.encode('b')]);
    const { outcomes, onEnd } = recorder();
    const observed = observeBody(stream.getReader(), { onEnd });
    const reader = observed.getReader();
    await reader.read();
    await reader.cancel('client went away');
    expect(outcomes).toEqual(['cancelled']);
    expect(state.cancelled).toBe(true);
    expect(state.cancelReason).toBe('client went away');
    await settle();
    expect(outcomes).toEqual(['cancelled']);
  });

  it('cancels the source when cancelled before anything was read', async () => {
    const { stream, state } = listSource([encoder.encode('a')]);
    const { outcomes, onEnd } = recorder();
    await observeBody(stream.getReader(), { onEnd }).cancel();
    expect(state.cancelled).toBe(true);
    expect(state.pulls).toBe(0);
    expect(outcomes).toEqual(['cancelled']);
  });

  it('errors the stream and reports failed when the source errors', async () => {
    const { stream } = listSource([encoder.encode('a')], { failAfter: 1 });
    const { outcomes, onEnd } = recorder();
    const reader = observeBody(stream.getReader(), { onEnd }).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('a');
    await expect(reader.read()).rejects.toThrow('upstream reset');
    expect(outcomes).toEqual(['failed']);
  });

  it('does not read ahead of the consumer', async () => {
    const { stream, state } = listSource([encoder.encode('a'), encoder.encode('b'), encoder.encode('c')]);
    const observed = observeBody(stream.getReader(), { onEnd: () => {} });
    await settle();
    expect(state.pulls).toBe(0);
    const reader = observed.getReader();
    await settle();
    expect(state.pulls).toBe(0);
    await reader.read();
    await settle();
    expect(state.pulls).toBe(1);
    await reader.read();
    await settle();
    expect(state.pulls).toBe(2);
  });

  it('works as a Response body', async () => {
    const { stream } = listSource([encoder.encode('he'), encoder.encode('llo')]);
    const { outcomes, onEnd } = recorder();
    const text = await new Response(observeBody(stream.getReader(), { onEnd })).text();
    expect(text).toBe('hello');
    expect(outcomes).toEqual(['complete']);
  });
});

describe('observeBody with a prefix', () => {
  it('sends the bytes already read first, then the rest of the reader', async () => {
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('rest'));
        controller.close();
      },
    });
    const text = await new Response(
      observeBody(stream.getReader(), { prefix: encoder.encode('held-'), onEnd: () => {} }),
    ).text();
    expect(text).toBe('held-rest');
  });
});

describe('observeBody with an idle watchdog', () => {
  it('fails the body, aborts upstream and cancels the source when a read stays pending past idleMs', async () => {
    vi.useFakeTimers();
    try {
      const { reader, state, push } = pushSource();
      const { outcomes, onEnd } = recorder();
      const aborts = { count: 0 };
      const observed = observeBody(reader, {
        onEnd,
        idleMs: 1_000,
        now: () => Date.now(),
        abort: () => {
          aborts.count += 1;
        },
      }).getReader();
      push('part one');
      expect(new TextDecoder().decode((await observed.read()).value)).toBe('part one');
      const next = observed.read().then(
        () => 'ended',
        (error: unknown) => (error instanceof Error ? error.message : 'failed'),
      );
      await vi.advanceTimersByTimeAsync(999);
      expect(aborts.count).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(await next).toContain('STREAM_IDLE_TIMEOUT_MS');
      expect(aborts.count).toBe(1);
      expect(state.cancelled).toBe(true);
      expect(outcomes).toEqual(['failed']);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not count the time the client takes to read, and stops its timer at the end', async () => {
    vi.useFakeTimers();
    try {
      const { stream } = listSource(['a', 'b']);
      const { outcomes, onEnd } = recorder();
      const observed = observeBody(stream.getReader(), {
        onEnd,
        idleMs: 1_000,
        now: () => Date.now(),
        abort: () => {},
      }).getReader();
      await observed.read();
      await vi.advanceTimersByTimeAsync(5_000);
      await observed.read();
      expect((await observed.read()).done).toBe(true);
      expect(outcomes).toEqual(['complete']);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
