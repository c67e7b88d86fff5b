import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadlineTimer } from './deadline-timer.js';

describe('deadlineTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([1, 99, 100, 101, 12_345, 299_997])('fires exactly at a deadline %i ms away, not before', (ms) => {
    const start = Date.now();
    let firedAt: number | undefined;
    deadlineTimer({ deadline: start + ms, now: Date.now, onDeadline: () => (firedAt = Date.now()) });
    vi.advanceTimersByTime(ms - 1);
    expect(firedAt).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(firedAt).toBe(start + ms);
    vi.advanceTimersByTime(1_000_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('arms a long wait rounded down to 100 ms, so requests share one timer duration', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const now = Date.now();
    deadlineTimer({ deadline: now + 299_997, now: Date.now, onDeadline: () => {} });
    deadlineTimer({ deadline: now + 299_951, now: Date.now, onDeadline: () => {} });
    expect(spy.mock.calls.map((call) => call[1])).toEqual([299_900, 299_900]);
    spy.mockRestore();
  });

  it('fires at once for a deadline already past, and never after clear()', () => {
    let fired = 0;
    deadlineTimer({ deadline: Date.now() - 5, now: Date.now, onDeadline: () => fired++ });
    expect(fired).toBe(1);
    const timer = deadlineTimer({ deadline: Date.now() + 500, now: Date.now, onDeadline: () => fired++ });
    timer.clear();
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
