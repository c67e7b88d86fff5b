import { describe, expect, it } from 'vitest';
import { v8Defaults } from './v8-defaults.js';

describe('v8Defaults', () => {
  it('sets Liftoff-only WebAssembly and a 50% old-generation growing step when the operator sets neither', () => {
    expect(v8Defaults('')).toEqual(['--liftoff-only', '--heap-growing-percent=50']);
    expect(v8Defaults('--max-old-space-size=512 --enable-source-maps')).toEqual([
      '--liftoff-only',
      '--heap-growing-percent=50',
    ]);
  });

  it.each([
    ['--no-liftoff', ['--heap-growing-percent=50']],
    ['--liftoff', ['--heap-growing-percent=50']],
    ['--heap-growing-percent=20', ['--liftoff-only']],
    ['--heap_growing_percent=0 --no-liftoff', []],
  ])('leaves out what the operator set: %s', (options, expected) => {
    expect(v8Defaults(options)).toEqual(expected);
  });
});
