import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchIdle } from './idle-watchdog.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(idleMs = 1_000) {
  let fired = 0;
  const watchdog = watchIdle({
    idleMs,
    now: () => Date.now(),
    onIdle: () => {
      fired += 1;
    },
  });
  return { watchdog, fired: () => fired };
}

describe('watchIdle', () => {
  it('fires once when a read has been pending for idleMs, and never again', async () => {
    const { watchdog, fired } = setup(1_000);
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(999);
    expect(fired()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not fire while no read is pending, however long (the consumer is slow)', async () => {
    const { watchdog, fired } = setup(1_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired()).toBe(0);
    watchdog.reading();
    watchdog.received();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired()).toBe(0);
    watchdog.stop();
  });

  it('counts silence from the start of the read, not from its creation or the last chunk', async () => {
    const { watchdog, fired } = setup(1_000);
    await vi.advanceTimersByTimeAsync(2_500); // Not reading: this does not count.
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(999);
    expect(fired()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired()).toBe(1);
  });

  it('stays quiet while every read receives within idleMs, even with long pauses between reads', async () => {
    const { watchdog, fired } = setup(1_000);
    for (let i = 0; i < 20; i++) {
      watchdog.reading();
      await vi.advanceTimersByTimeAsync(900);
      watchdog.received();
      await vi.advanceTimersByTimeAsync(i % 2 === 0 ? 100 : 3_000); // The client takes its time.
    }
    expect(fired()).toBe(0);
    watchdog.stop();
  });

  it('a read that receives in time resets the clock: the next read gets a whole idleMs', async () => {
    const { watchdog, fired } = setup(1_000);
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(900);
    watchdog.received();
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(999);
    expect(fired()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired()).toBe(1);
  });

  it('keeps a single timer however many reads there are', async () => {
    const { watchdog } = setup(1_000);
    for (let i = 0; i < 50; i++) {
      watchdog.reading();
      await vi.advanceTimersByTimeAsync(10);
      watchdog.received();
      await vi.advanceTimersByTimeAsync(30);
    }
    expect(vi.getTimerCount()).toBe(1);
    watchdog.stop();
  });

  it('stop before any read leaves no timer', async () => {
    const { watchdog, fired } = setup(1_000);
    await vi.advanceTimersByTimeAsync(500);
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired()).toBe(0);
  });

  it('stop with a read pending prevents firing and leaves no timer', async () => {
    const { watchdog, fired } = setup(1_000);
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(500);
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired()).toBe(0);
  });

  it('stop after a re-arm leaves no timer', async () => {
    const { watchdog, fired } = setup(1_000);
    await vi.advanceTimersByTimeAsync(500);
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(600); // The first check re-arms for the rest of the read's idleMs.
    expect(fired()).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired()).toBe(0);
  });

  it('stop is safe after firing and more than once', async () => {
    const { watchdog, fired } = setup(100);
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(100);
    expect(() => {
      watchdog.stop();
      watchdog.stop();
    }).not.toThrow();
    expect(fired()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a read after firing does not re-arm it', async () => {
    const { watchdog, fired } = setup(100);
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(100);
    watchdog.received();
    watchdog.reading();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
