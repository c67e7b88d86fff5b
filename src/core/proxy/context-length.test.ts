import { describe, expect, it } from 'vitest';
import { isContextLengthError } from './context-length.js';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('isContextLengthError', () => {
  it.each([
    [{ error: { code: 'context_length_exceeded', message: 'too long' } }, true],
    [{ error: { code: null, message: "This model's maximum context length is 8192 tokens." } }, true],
    [{ error: { message: 'Prompt has too many tokens in the prompt' } }, true],
    [{ error: { code: 'invalid_value', message: 'maximum context length' } }, false],
    [{ error: { code: 'invalid_request', message: 'bad temperature' } }, false],
    [{ error: 'context_length_exceeded' }, false],
    [[], false],
  ])('%j -> %s', (body, expected) => {
    expect(isContextLengthError(bytes(body))).toBe(expected);
  });

  it('is false for a body that is not JSON', () => {
    expect(isContextLengthError(new TextEncoder().encode('<html>'))).toBe(false);
  });
});
