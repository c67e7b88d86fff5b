import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from './concurrency-limit.js';

describe('createConcurrencyLimit', () => {
  it('gives each key up to its limit, independently of other keys', () => {
    const limit = createConcurrencyLimit();
    expect(limit.acquire('a', 2)).toBe(true);
    expect(limit.acquire('a', 2)).toBe(true);
    expect(limit.acquire('a', 2)).toBe(false);
    expect(limit.held('a')).toBe(2);
    expect(limit.acquire('b', 2)).toBe(true);
    expect(limit.held('b')).toBe(1);
  });

  it('frees a slot on release, and forgets a key that holds none', () => {
    const limit = createConcurrencyLimit();
    limit.acquire('a', 1);
    expect(limit.acquire('a', 1)).toBe(false);
    limit.release('a');
    expect(limit.size).toBe(0);
    expect(limit.acquire('a', 1)).toBe(true);
  });

  it('takes the limit per call (a key policy can give one its own), 0 meaning none', () => {
    const limit = createConcurrencyLimit();
    for (let i = 0; i < 1000; i++) expect(limit.acquire('a', 0)).toBe(true);
    expect(limit.acquire('a', 1000)).toBe(false);
    expect(limit.acquire('a', 1001)).toBe(true);
  });

  it('ignores a release for a key that holds nothing (never goes negative)', () => {
    const limit = createConcurrencyLimit();
    limit.release('a');
    expect(limit.held('a')).toBe(0);
    expect(limit.size).toBe(0);
  });
});
