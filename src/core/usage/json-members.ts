const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const decoder = new TextDecoder();

/** Where a member's value lies in the bytes: `bytes.subarray(start, end)` is its JSON text. */
export interface ValueRange {
  start: number;
  end: number;
}

/** The members found, and where the object's opening brace is (for an insertion right after it). */
export interface TopLevelMembers {
  readonly open: number;
  readonly found: Map<string, ValueRange>;
}

const isBlank = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** The index of the quote that ends the string whose content starts at `from`, or -1. */
function stringEnd(bytes: Uint8Array, from: number): number {
  for (let at = bytes.indexOf(QUOTE, from); at !== -1; at = bytes.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * Finds the wanted members of a JSON object's top level on its bytes, without parsing or decoding the rest:
 * strings are skipped with the native `indexOf`, so a large prompt costs little. Keys are compared as JSON
 * text (`"model"`; an escaped spelling of a key is not found). The last occurrence of a key wins, as with
 * `JSON.parse`. Undefined when the bytes do not start (after blanks) with an object; a malformed body gives
 * whatever was found before the fault, which callers treat as hints only (the provider judges the body).
 *
 * @example
 * const { found } = topLevelMembers(bytes('{"model":"m","stream":true}'), ['stream'])!;
 * found.get('stream'); // { start: 20, end: 24 }
 */
export function topLevelMembers(bytes: Uint8Array, keys: readonly string[]): TopLevelMembers | undefined {
  let at = 0;
  while (at < bytes.length && isBlank(bytes[at] as number)) at++;
  if (bytes[at] !== OPEN_BRACE) return undefined;
  const open = at;
  const found = new Map<string, ValueRange>();
  let depth = 1;
  /** At depth 1: the key whose value is being read, and where that value started. */
  let key: string | undefined;
  let valueStart = -1;
  let expectKey = true;
  at++;
  const close = (end: number) => {
    if (key !== undefined && valueStart !== -1) {
      let last = end;
      while (last > valueStart && isBlank(bytes[last - 1] as number)) last--;
      found.set(key, { start: valueStart, end: last });
    }
    key = undefined;
    valueStart = -1;
  };
  while (at < bytes.length) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) {
      const end = stringEnd(bytes, at + 1);
      if (end === -1) return { open, found };
      if (depth === 1 && expectKey) {
        const length = end - at - 1;
        const name = keys.find(
          (wanted) => wanted.length === length && decoder.decode(bytes.subarray(at + 1, end)) === wanted,
        );
        key = name;
        expectKey = false;
        at = end + 1;
        while (at < bytes.length && isBlank(bytes[at] as number)) at++;
        if (bytes[at] !== COLON) return { open, found };
        at++;
        while (at < bytes.length && isBlank(bytes[at] as number)) at++;
        valueStart = at;
        continue;
      }
      at = end + 1;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) {
        close(at);
        return { open, found };
      }
    } else if (byte === COMMA && depth === 1) {
      close(at);
      expectKey = true;
    }
    at++;
  }
  return { open, found };
}

/**
 * The value of a member found by {@link topLevelMembers}, parsed (a small value: `usage`, `model`), or
 * undefined when it is not valid JSON.
 *
 * @example
 * memberValue(bytes, found.get('usage')); // { prompt_tokens: 3, ... }
 */
export function memberValue(bytes: Uint8Array, range: ValueRange | undefined): unknown {
  if (range === undefined) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes.subarray(range.start, range.end))) as unknown;
  } catch {
    return undefined;
  }
}
