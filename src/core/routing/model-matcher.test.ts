import { describe, expect, it } from 'vitest';
import { modelMatcher } from './model-matcher.js';

describe('modelMatcher', () => {
  it('is undefined (serves anything) without a list', () => {
    expect(modelMatcher(undefined)).toBeUndefined();
  });

  it('matches exact names only exactly', () => {
    const serves = modelMatcher(['gpt-4o']);
    expect(serves?.('gpt-4o')).toBe(true);
    expect(serves?.('gpt-4o-mini')).toBe(false);
    expect(serves?.('GPT-4O')).toBe(false);
  });

  it('matches globs, with * for any run of characters and everything else literal', () => {
    const serves = modelMatcher(['accounts/fireworks/models/*', 'llama-3.?-*b']);
    expect(serves?.('accounts/fireworks/models/llama-v3p1-70b-instruct')).toBe(true);
    expect(serves?.('accounts/other/models/x')).toBe(false);
    expect(serves?.('llama-3.?-70b')).toBe(true);
    expect(serves?.('llama-3.1-70b')).toBe(false);
  });

  it('serves nothing with an empty list', () => {
    expect(modelMatcher([])?.('anything')).toBe(false);
  });

  it('matches in linear time: a many-star glob on a long near-miss model name ends at once', () => {
    const serves = modelMatcher(['*a*a*a*a*a*a*a*a*b']);
    const started = performance.now();
    expect(serves?.('a'.repeat(256))).toBe(false);
    // Generous: a backtracking ^.*a.*a….*b$ takes hours on this name; the point is that it ends.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('matches a glob across line breaks like any other character', () => {
    expect(modelMatcher(['m*'])?.('m\nx')).toBe(true);
  });
});
