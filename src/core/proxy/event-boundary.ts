const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

/**
 * Finds the end of the first whole event in an SSE byte stream fed chunk by chunk: a block of lines ended by
 * a blank line, with at least one field line (a comment line starts with `:`; `: keep-alive` alone is not an
 * event). Lines end with LF or CRLF, and a CRLF may be split between two chunks. Works on bytes: every byte
 * that matters is ASCII, so no decoder (an ICU converter per stream on Node) and no string per chunk; each
 * byte is looked at once.
 *
 * @example
 * const boundary = new EventBoundary();
 * boundary.feed(bytes('data: {"x":1}\n')); // false
 * boundary.feed(bytes('\n')); // true
 */
export class EventBoundary {
  /** The current line has a byte (other than its line ending). */
  #lineStarted = false;
  /** The current block has a line that is not a comment. */
  #blockHasField = false;
  /** The previous chunk ended with CR: whether it ends a line depends on the next byte. */
  #pendingCR = false;
  #found = false;

  /** Takes the next chunk; true once a whole event has been seen (and from then on). */
  feed(chunk: Uint8Array): boolean {
    if (this.#found) return true;
    if (this.#pendingCR && chunk.length > 0) {
      this.#pendingCR = false;
      // A CR not followed by LF is an ordinary byte of the line.
      if (chunk[0] !== LF) this.#content(CR);
    }
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (byte === LF) {
        if (this.#endLine()) return true;
      } else if (byte === CR) {
        if (i + 1 === chunk.length) this.#pendingCR = true;
        else if (chunk[i + 1] !== LF) this.#content(CR);
        // CR before LF: part of the line ending, which the LF ends.
      } else {
        this.#content(byte);
      }
    }
    return false;
  }

  #content(byte: number): void {
    if (this.#lineStarted) return;
    this.#lineStarted = true;
    if (byte !== COLON) this.#blockHasField = true;
  }

  /** A line ends: a blank one ends the block, which is an event if it had a field. */
  #endLine(): boolean {
    if (this.#lineStarted) {
      this.#lineStarted = false;
      return false;
    }
    if (this.#blockHasField) this.#found = true;
    this.#blockHasField = false;
    return this.#found;
  }
}
