import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { compileGlob, matchesAny } from './glob.js';

/** The definition, on text: `*` is any run of characters (possibly empty), everything else matches itself. */
function definition(glob: string, text: string): boolean {
  // Classic dynamic programming over (glob position, text position): obviously right, quadratic.
  let row = new Array<boolean>(text.length + 1).fill(false);
  row[0] = true;
  for (const char of glob) {
    const next = new Array<boolean>(text.length + 1).fill(false);
    if (char === '*') {
      for (let j = 0; j <= text.length; j++)
        next[j] = (row[j] as boolean) || (j > 0 && (next[j - 1] as boolean));
    } else {
      for (let j = 1; j <= text.length; j++) next[j] = (row[j - 1] as boolean) && text[j - 1] === char;
    }
    row = next;
  }
  return row[text.length] as boolean;
}

describe('compileGlob', () => {
  it('matches names exactly and * as any run of characters, slashes and line breaks included', () => {
    expect(compileGlob('gpt-4o')('gpt-4o')).toBe(true);
    expect(compileGlob('gpt-4o')('gpt-4o-mini')).toBe(false);
    expect(compileGlob('audio/*')('audio/transcriptions')).toBe(true);
    expect(compileGlob('audio/*')('audio')).toBe(false);
    expect(compileGlob('a*b*c')('a\nxbyc')).toBe(true);
    expect(compileGlob('*')('')).toBe(true);
    expect(compileGlob('a*a')('a')).toBe(false);
  });

  it('answers a many-star glob on a long near-miss at once (a backtracking regex takes hours)', () => {
    const glob = compileGlob('*a*a*a*a*a*a*a*a*a*b');
    const started = performance.now();
    expect(glob('a'.repeat(100_000))).toBe(false);
    // Generous: the point is that it ends; a regex ^.*a.*a…b$ on this input does not in any test's lifetime.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('agrees with the definition on thousands of seeded random globs and names', () => {
    const random = mulberry32(0x610b);
    const pick = (alphabet: string, max: number) =>
      Array.from(
        { length: Math.floor(random() * max) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
    for (let run = 0; run < 5000; run++) {
      const glob = pick('ab*/', 7);
      const text = pick('ab/', 9);
      expect(compileGlob(glob)(text), `${glob} ~ ${text}`).toBe(definition(glob, text));
    }
  });
});

describe('matchesAny', () => {
  it('matches any of the names or globs', () => {
    const matches = matchesAny(['models', 'audio/*']);
    expect(matches('models')).toBe(true);
    expect(matches('audio/speech')).toBe(true);
    expect(matches('files')).toBe(false);
    expect(matchesAny([])('x')).toBe(false);
  });
});
