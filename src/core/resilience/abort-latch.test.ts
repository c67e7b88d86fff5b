import { describe, expect, it } from 'vitest';
import { createAbortLatch } from './abort-latch.js';

describe('createAbortLatch', () => {
  it('calls each listener once, in order, and is aborted after', () => {
    const latch = createAbortLatch();
    const calls: string[] = [];
    latch.signal.addEventListener('abort', () => calls.push('a'));
    latch.signal.addEventListener('abort', () => calls.push('b'), { once: true });
    expect(latch.signal.aborted).toBe(false);
    latch.abort();
    latch.abort();
    expect(calls).toEqual(['a', 'b']);
    expect(latch.signal.aborted).toBe(true);
  });

  it('does not call a removed listener, nor one added after the abort', () => {
    const latch = createAbortLatch();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    latch.signal.addEventListener('abort', removed);
    latch.signal.addEventListener('abort', () => calls.push('kept'));
    latch.signal.removeEventListener('abort', removed);
    latch.abort();
    latch.signal.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['kept']);
  });
});
