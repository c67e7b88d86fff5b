const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const DATA_FIELD = [0x64, 0x61, 0x74, 0x61, 0x3a]; // "data:"
const DONE_VALUE = [0x5b, 0x44, 0x4f, 0x4e, 0x45, 0x5d]; // "[DONE]"

/** Whether `bytes` before `end` end with `word`. */
function endsWith(bytes: Uint8Array, end: number, word: readonly number[]): boolean {
  if (end < word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[end - word.length + i] !== word[i]) return false;
  return true;
}

/** Where a run of spaces and tabs that ends at `end` starts. */
function skipBlanks(bytes: Uint8Array, end: number): number {
  let at = end;
  while (at > 0 && (bytes[at - 1] === SPACE || bytes[at - 1] === TAB)) at--;
  return at;
}

/**
 * Whether an SSE stream's last bytes are its `data: [DONE]` line: `data:`, blanks, `[DONE]`, blanks, then
 * only line endings (LF or CRLF). Read backwards on the bytes, with no decoder and no string.
 *
 * @example
 * endsWithDone(new TextEncoder().encode('data: {"x":1}\n\ndata: [DONE]\n\n')); // true
 */
export function endsWithDone(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === LF) {
    end--;
    if (end > 0 && bytes[end - 1] === CR) end--;
  }
  end = skipBlanks(bytes, end);
  if (!endsWith(bytes, end, DONE_VALUE)) return false;
  end = skipBlanks(bytes, end - DONE_VALUE.length);
  return endsWith(bytes, end, DATA_FIELD);
}
