/** Whether a text matches one glob. */
export type GlobMatcher = (text: string) => boolean;

/**
 * A glob where `*` stands for any run of characters (`/` and line breaks included) and everything else is
 * literal, matched without a regular expression: the literal pieces are found left to right, each at its first
 * place after the previous one, which is where a backtracking matcher would have found it too. Each piece is
 * looked for once, so a name is scanned a bounded number of times (the pieces are the configuration's), never
 * the exponential or polynomial blow-up of `^a.*b.*c$` on a long name that almost matches.
 *
 * @example
 * const matches = compileGlob('accounts/*\/models/*');
 * matches('accounts/fireworks/models/llama'); // true
 */
export function compileGlob(glob: string): GlobMatcher {
  const pieces = glob.split('*');
  if (pieces.length === 1) return (text) => text === glob;
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const fixed = first.length + last.length;
  return function matchesGlob(text) {
    if (text.length < fixed || !text.startsWith(first) || !text.endsWith(last)) return false;
    let at = first.length;
    const end = text.length - last.length;
    for (const piece of middle) {
      const found = text.indexOf(piece, at);
      if (found === -1 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/**
 * One check for a list of names and globs: names looked up in a set, globs tried in order.
 *
 * @example
 * matchesAny(['gpt-4o', 'llama-*'])('llama-3.1-70b'); // true
 */
export function matchesAny(patterns: readonly string[]): GlobMatcher {
  const exact = new Set(patterns.filter((pattern) => !pattern.includes('*')));
  const globs = patterns.filter((pattern) => pattern.includes('*')).map(compileGlob);
  if (globs.length === 0) return (text) => exact.has(text);
  return (text) => exact.has(text) || globs.some((matches) => matches(text));
}
