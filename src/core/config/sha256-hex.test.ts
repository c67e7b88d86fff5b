import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { sha256Hex } from './sha256-hex.js';

describe('sha256Hex', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ])('hashes %j as the standard says', (text, hex) => {
    expect(sha256Hex(text)).toBe(hex);
  });

  it('agrees with node:crypto on 500 seeded random texts of every length around the block edges', () => {
    const random = mulberry32(18);
    for (let i = 0; i < 500; i++) {
      const length = i < 130 ? i : Math.floor(random() * 300);
      let text = '';
      for (let j = 0; j < length; j++)
        text += String.fromCharCode(
          random() < 0.9 ? 32 + Math.floor(random() * 95) : 0x400 + Math.floor(random() * 200),
        );
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});
