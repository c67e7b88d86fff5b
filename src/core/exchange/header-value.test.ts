import { describe, expect, it } from 'vitest';
import { headerValue } from './header-value.js';

describe('headerValue', () => {
  it('keeps plain visible ASCII as it is', () => {
    expect(headerValue('accounts/fireworks/models/llama v3')).toBe('accounts/fireworks/models/llama v3');
  });

  it.each([
    ['m\r\nx-injected: 1', 'm%0D%0Ax-injected%3A%201'],
    ['模型', '%E6%A8%A1%E5%9E%8B'],
    [' padded ', '%20padded%20'],
    ['é', '%C3%A9'],
  ])('percent-encodes %j so that a Web Headers accepts it', (text, encoded) => {
    expect(headerValue(text)).toBe(encoded);
    expect(new Headers({ 'x-proxy-model': headerValue(text) as string }).get('x-proxy-model')).toBe(encoded);
  });

  it('leaves out what cannot be encoded', () => {
    expect(headerValue('a\ud800')).toBeUndefined();
    expect(headerValue('')).toBeUndefined();
  });
});
