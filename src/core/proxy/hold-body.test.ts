import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listSource, pushSource } from '../../../test/fixtures/scripted-source.js';
import { DecodedBodyTooLargeError } from '../providers/decoded-limit.js';
import { holdBody } from './hold-body.js';

const decoder = new TextDecoder();

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function options(overrides: { maxBytes?: number; idleMs?: number } = {}) {
  const aborts = { count: 0 };
  return {
    aborts,
    options: {
      maxBytes: overrides.maxBytes ?? 1_024,
      idleMs: overrides.idleMs ?? 1_000,
      now: () => Date.now(),
      abort: () => {
        aborts.count += 1;
      },
    },
  };
}

describe('holdBody', () => {
  it('fails as "too_large" when a compressed body decodes past its cap', async () => {
    const reader = {
      read: () => Promise.reject(new DecodedBodyTooLargeError(10)),
      cancel: async () => {},
    };
    expect(await holdBody(reader, options().options)).toEqual({ ok: false, reason: 'too_large' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns the whole body as one array', async () => {
    const { reader } = listSource(['{"a":', '1', '}']);
    const { options: opts, aborts } = options();
    const held = await holdBody(reader, opts);
    expect(held.ok && held.complete && decoder.decode(held.bytes)).toBe('{"a":1}');
    expect(aborts.count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns an empty body as empty bytes', async () => {
    const { reader } = listSource([]);
    const held = await holdBody(reader, options().options);
    expect(held).toEqual({ ok: true, complete: true, bytes: new Uint8Array(0) });
  });

  it('takes a body that has arrived whole at once: no read, no idle timer', async () => {
    const reads = { count: 0 };
    const chunks = ['{"a":', '1}'].map((text) => new TextEncoder().encode(text));
    const reader = {
      read: async () => {
        reads.count += 1;
        return { done: true as const, value: undefined };
      },
      cancel: async () => {},
      takeRest: () => chunks,
    };
    const held = await holdBody(reader, options().options);
    expect(held.ok && held.complete && decoder.decode(held.bytes)).toBe('{"a":1}');
    expect(reads.count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hands on a body that arrived whole but passes maxBytes, to be streamed', async () => {
    const chunks = ['abc', 'def'].map((text) => new TextEncoder().encode(text));
    const reader = {
      read: async () => ({ done: true as const, value: undefined }),
      cancel: async () => {},
      takeRest: () => chunks,
    };
    const held = await holdBody(reader, options({ maxBytes: 5 }).options);
    if (!held.ok || held.complete) throw new Error(`expected a part-read body, got ${JSON.stringify(held)}`);
    expect(held.held).toBe(chunks);
    expect(await held.reader.read()).toEqual({ done: true, value: undefined });
  });

  it('holds a body of exactly maxBytes whole', async () => {
    const { reader } = listSource(['12345', '678']);
    const held = await holdBody(reader, options({ maxBytes: 8 }).options);
    expect(held.ok && held.complete && decoder.decode(held.bytes)).toBe('12345678');
  });

  it('stops at the chunk that passes maxBytes, returning what it read and the reader for the rest', async () => {
    const { reader, state } = listSource(['abc', 'def', 'ghi', 'jkl']);
    const held = await holdBody(reader, options({ maxBytes: 5 }).options);
    if (!held.ok || held.complete) throw new Error(`expected a part-read body, got ${JSON.stringify(held)}`);
    expect(held.held.map((chunk) => decoder.decode(chunk))).toEqual(['abc', 'def']);
    expect(held.reader).toBe(reader);
    // Nothing was read ahead of the chunk that passed the limit.
    expect(state.pulls).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
    const rest: string[] = [];
    for (;;) {
      const result = await held.reader.read();
      if (result.done) break;
      rest.push(decoder.decode(result.value));
    }
    expect(rest).toEqual(['ghi', 'jkl']);
    expect(state.cancelled).toBe(false);
  });

  it('reports a source error as failed', async () => {
    const { reader } = listSource(['{"a":'], { failAfter: 1 });
    const { options: opts, aborts } = options();
    expect(await holdBody(reader, opts)).toEqual({ ok: false, reason: 'failed' });
    expect(aborts.count).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a stall past idleMs as stalled, aborting and cancelling the upstream', async () => {
    const { reader, state, push } = pushSource();
    const { options: opts, aborts } = options({ idleMs: 1_000 });
    const pending = holdBody(reader, opts);
    push('{"partial":');
    await vi.advanceTimersByTimeAsync(999);
    expect(aborts.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await pending).toEqual({ ok: false, reason: 'stalled' });
    expect(aborts.count).toBe(1);
    expect(state.cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is not stalled by a slow body whose chunks come within idleMs of each other', async () => {
    const { reader, push } = pushSource();
    const { options: opts, aborts } = options({ idleMs: 1_000 });
    let result: Awaited<ReturnType<typeof holdBody>> | undefined;
    void holdBody(reader, opts).then((held) => {
      result = held;
    });
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(800);
      push(String(i));
    }
    expect(result).toBeUndefined();
    expect(aborts.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(result).toEqual({ ok: false, reason: 'stalled' });
  });
});
