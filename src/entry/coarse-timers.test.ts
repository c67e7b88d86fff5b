import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coarseTimers } from './coarse-timers.js';

describe('coarseTimers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a long timer on the first tick at or after its time, never before', () => {
    const startTimer = coarseTimers({ resolutionMs: 100 });
    const fired: number[] = [];
    startTimer(1_050, () => fired.push(Date.now()));
    vi.advanceTimersByTime(1_049);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(1_000_000 + 1_050);
    expect(fired[0]).toBeLessThanOrEqual(1_000_000 + 1_050 + 100);
  });

  it('does not fire a cancelled timer; cancelling twice or after it fired is harmless', () => {
    const startTimer = coarseTimers();
    const fired: string[] = [];
    const cancelled = startTimer(2_000, () => fired.push('cancelled'));
    const kept = startTimer(2_000, () => fired.push('kept'));
    cancelled.cancel();
    cancelled.cancel();
    vi.advanceTimersByTime(2_200);
    expect(fired).toEqual(['kept']);
    kept.cancel();
    expect(fired).toEqual(['kept']);
  });

  it('gives timers shorter than minMs an exact timer of their own', () => {
    const startTimer = coarseTimers({ minMs: 1_000, resolutionMs: 100 });
    const fired: number[] = [];
    startTimer(250, () => fired.push(Date.now()));
    vi.advanceTimersByTime(249);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([1_000_250]);
    const short = startTimer(10, () => fired.push(0));
    short.cancel();
    vi.advanceTimersByTime(50);
    expect(fired).toHaveLength(1);
  });

  it('runs its interval only while a timer is pending', () => {
    const startTimer = coarseTimers();
    expect(vi.getTimerCount()).toBe(0);
    const timer = startTimer(5_000, () => {});
    expect(vi.getTimerCount()).toBe(1);
    timer.cancel();
    vi.advanceTimersByTime(200);
    expect(vi.getTimerCount()).toBe(0);
    startTimer(1_000, () => {});
    vi.advanceTimersByTime(1_200);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the live timers of a tick when most of them are cancelled (its list is compacted)', () => {
    const startTimer = coarseTimers({ resolutionMs: 100 });
    const fired: number[] = [];
    const timers = Array.from({ length: 100 }, (_, i) => startTimer(3_000, () => fired.push(i)));
    for (const [i, timer] of timers.entries()) if (i % 10 !== 0) timer.cancel();
    vi.advanceTimersByTime(3_200);
    expect(fired).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires timers started by a timer that fired, on their own tick', () => {
    const startTimer = coarseTimers({ resolutionMs: 100 });
    const fired: string[] = [];
    startTimer(1_000, () => {
      fired.push('first');
      startTimer(1_000, () => fired.push('second'));
    });
    vi.advanceTimersByTime(1_100);
    expect(fired).toEqual(['first']);
    vi.advanceTimersByTime(1_100);
    expect(fired).toEqual(['first', 'second']);
  });

  it('catches up on every tick missed while the event loop was blocked', () => {
    const startTimer = coarseTimers({ resolutionMs: 100 });
    const fired: string[] = [];
    startTimer(1_000, () => fired.push('a'));
    startTimer(1_500, () => fired.push('b'));
    // The clock jumps past both without the interval running in between.
    vi.setSystemTime(Date.now() + 5_000);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['a', 'b']);
  });
});
