import { describe, expect, it } from 'vitest';
import { lastEventEnd } from './continuation-hook.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('lastEventEnd', () => {
  it.each([
    ['data: 1\n\ndata: 2', 9],
    ['data: 1\n\n', 9],
    ['data: 1\r\n\r\ndata: 2\r\n\r\n', 22],
    ['data: 1\n', 0],
    ['', 0],
    ['data: 1\n\ndata: 2\n\ndata: 3\n', 18],
  ])('%j -> %i', (text, end) => {
    expect(lastEventEnd(bytes(text))).toBe(end);
  });
});
