import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequestBudget } from './request-budget.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A budget `ms` from now on the fake clock. */
function budgetFor(ms: number, clientSignal: AbortSignal = new AbortController().signal) {
  return createRequestBudget({ deadline: Date.now() + ms, now: () => Date.now(), clientSignal });
}

describe('createRequestBudget', () => {
  it('ends with "deadline" when the deadline passes, aborting its attempt', async () => {
    const budget = budgetFor(1_000);
    const { controller } = budget.attemptController();
    expect(budget.ended()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(999);
    expect(controller.signal.aborted).toBe(false);
    expect(budget.ended()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(controller.signal.aborted).toBe(true);
    expect(budget.ended()).toBe('deadline');
    budget.dispose();
  });

  it('fires at once for a deadline already past', async () => {
    const budget = budgetFor(-50);
    expect(budget.remaining()).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(budget.ended()).toBe('deadline');
    budget.dispose();
  });

  it('ends with "client" when the client goes away, aborting its attempt', () => {
    const client = new AbortController();
    const budget = budgetFor(1_000, client.signal);
    const { controller } = budget.attemptController();
    client.abort();
    expect(controller.signal.aborted).toBe(true);
    expect(budget.ended()).toBe('client');
    budget.dispose();
  });

  it('is ended by the client at creation when the client signal is already aborted', async () => {
    const client = new AbortController();
    client.abort();
    const budget = budgetFor(1_000, client.signal);
    expect(budget.ended()).toBe('client');
    // The deadline passing later does not change the reason.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(budget.ended()).toBe('client');
    budget.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the first reason: a client abort after the deadline stays "deadline"', async () => {
    const client = new AbortController();
    const budget = budgetFor(100, client.signal);
    await vi.advanceTimersByTimeAsync(100);
    client.abort();
    expect(budget.ended()).toBe('deadline');
    budget.dispose();
  });

  it('remaining() counts down to 0 and stays there', async () => {
    const budget = budgetFor(1_000);
    expect(budget.remaining()).toBe(1_000);
    await vi.advanceTimersByTimeAsync(400);
    expect(budget.remaining()).toBe(600);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(budget.remaining()).toBe(0);
    budget.dispose();
  });

  describe('sleep', () => {
    it('resolves after ms', async () => {
      const budget = budgetFor(10_000);
      let done = false;
      void budget.sleep(500).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(499);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);
      budget.dispose();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('resolves early when the deadline passes, leaving no timer of its own', async () => {
      const budget = budgetFor(200);
      let done = false;
      void budget.sleep(5_000).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(200);
      expect(done).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
      budget.dispose();
    });

    it('resolves early when the client goes away', async () => {
      const client = new AbortController();
      const budget = budgetFor(10_000, client.signal);
      let done = false;
      void budget.sleep(5_000).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(10);
      expect(done).toBe(false);
      client.abort();
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(true);
      budget.dispose();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('resolves at once when the budget has already ended', async () => {
      const client = new AbortController();
      client.abort();
      const budget = budgetFor(10_000, client.signal);
      budget.dispose();
      let done = false;
      void budget.sleep(5_000).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('attemptController', () => {
    it('is aborted when the budget ends', async () => {
      const budget = budgetFor(100);
      const { controller } = budget.attemptController();
      expect(controller.signal.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(100);
      expect(controller.signal.aborted).toBe(true);
      budget.dispose();
    });

    it('is aborted at once when the budget has already ended', () => {
      const client = new AbortController();
      client.abort();
      const budget = budgetFor(100, client.signal);
      const { controller, release } = budget.attemptController();
      expect(controller.signal.aborted).toBe(true);
      release();
      budget.dispose();
    });

    it('can be aborted on its own without ending the budget', () => {
      const budget = budgetFor(1_000);
      const { controller } = budget.attemptController();
      const other = budget.attemptController();
      controller.abort();
      expect(other.controller.signal.aborted).toBe(false);
      expect(budget.ended()).toBeUndefined();
      budget.dispose();
    });

    it('stops following the budget once released', async () => {
      const budget = budgetFor(100);
      const first = budget.attemptController();
      const second = budget.attemptController();
      first.release();
      await vi.advanceTimersByTimeAsync(100);
      expect(first.controller.signal.aborted).toBe(false);
      expect(second.controller.signal.aborted).toBe(true);
      budget.dispose();
    });
  });

  describe('dispose', () => {
    it('clears the deadline timer', async () => {
      const budget = budgetFor(1_000);
      expect(vi.getTimerCount()).toBe(1);
      budget.dispose();
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(budget.ended()).toBeUndefined();
    });

    it('detaches from the client signal', () => {
      const client = new AbortController();
      const budget = budgetFor(1_000, client.signal);
      const { controller } = budget.attemptController();
      budget.dispose();
      client.abort();
      expect(budget.ended()).toBeUndefined();
      expect(controller.signal.aborted).toBe(false);
    });

    it('is safe to call more than once', () => {
      const budget = budgetFor(1_000);
      budget.dispose();
      expect(() => budget.dispose()).not.toThrow();
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
