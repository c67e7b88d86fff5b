import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes.js';

describe('concatBytes', () => {
  it('returns an empty array for no chunks', () => {
    const bytes = concatBytes([]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.byteLength).toBe(0);
  });

  it('joins chunks in order', () => {
    const bytes = concatBytes([new Uint8Array([1]), new Uint8Array([2, 3]), new Uint8Array([4, 5, 6])]);
    expect([...bytes]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('skips empty chunks', () => {
    const bytes = concatBytes([
      new Uint8Array(0),
      new Uint8Array([9]),
      new Uint8Array(0),
      new Uint8Array([8]),
    ]);
    expect([...bytes]).toEqual([9, 8]);
  });

  it('returns a single ArrayBuffer-backed chunk as it is, without a copy', () => {
    const only = new Uint8Array([7, 8, 9]);
    expect(concatBytes([only])).toBe(only);
  });

  it('returns a single view into a larger buffer as that view', () => {
    const whole = new Uint8Array([0, 1, 2, 3, 4]);
    const view = whole.subarray(1, 3);
    const bytes = concatBytes([view]);
    expect([...bytes]).toEqual([1, 2]);
    expect(bytes.byteLength).toBe(2);
  });

  it('copies views into larger buffers when joining', () => {
    const whole = new Uint8Array([0, 1, 2, 3, 4]);
    const bytes = concatBytes([whole.subarray(3), whole.subarray(0, 2)]);
    expect([...bytes]).toEqual([3, 4, 0, 1]);
    expect(bytes.buffer.byteLength).toBe(4);
  });

  it('copies a single SharedArrayBuffer-backed chunk into an ArrayBuffer', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3));
    shared.set([5, 6, 7]);
    const bytes = concatBytes([shared]);
    expect(bytes).not.toBe(shared);
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...bytes]).toEqual([5, 6, 7]);
  });

  it('does not alias its inputs when it copies', () => {
    const first = new Uint8Array([1, 2]);
    const bytes = concatBytes([first, new Uint8Array([3])]);
    first[0] = 99;
    expect([...bytes]).toEqual([1, 2, 3]);
  });
});
