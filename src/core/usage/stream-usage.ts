import { concatBytes } from '../exchange/bytes.js';
import type { Usage } from '../exchange/request-record.js';
import { readUsage } from './read-usage.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COLON = 0x3a;
const D = 0x64;
const OPEN_BRACKET = 0x5b;
const N = 0x6e;
const USAGE_KEY = [0x75, 0x73, 0x61, 0x67, 0x65, 0x22]; // usage" (after the opening quote)
const DATA_FIELD = [0x64, 0x61, 0x74, 0x61, 0x3a]; // data:
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
/**
 * The longest line kept while its end is awaited. A longer one cannot be the usage-only chunk: it goes on to the
 * client as it comes and is not read for usage (the stream's usage is then estimated if none other came).
 */
export const MAX_LINE_BYTES = 1 << 20;

const isBlank = (byte: number | undefined) => byte === 0x20 || byte === 0x09 || byte === LF || byte === CR;

/** Where a `"usage"` key with a non-null value starts in `bytes[start, end)`, or -1. */
function usageAt(bytes: Uint8Array, start: number, end: number): number {
  for (let at = bytes.indexOf(QUOTE, start); at !== -1 && at < end; at = bytes.indexOf(QUOTE, at + 1)) {
    if (at + 7 > end) return -1;
    let match = true;
    for (let i = 0; i < 6 && match; i++) match = bytes[at + 1 + i] === USAGE_KEY[i];
    if (!match) continue;
    let next = at + 7;
    while (next < end && isBlank(bytes[next])) next++;
    if (bytes[next] !== COLON) continue;
    next++;
    while (next < end && isBlank(bytes[next])) next++;
    // `"usage":null` rides on every chunk of some providers' streams: no parse for those.
    if (bytes[next] !== N) return at;
  }
  return -1;
}

/**
 * Watches an event stream's bytes for the usage the provider reports, wherever it arrives: a chat or text
 * completions chunk (the usage-only last chunk, or a content chunk that carries it), or the Responses API's
 * `response.completed` (usage under `response`). Works line by line on bytes (LF or CRLF line ends; a line may
 * be split between chunks); only a `data:` line holding a non-null `"usage"` is decoded and parsed. With
 * `removeUsageChunk` (the gateway asked for usage, the client did not), the usage-only chunk (`"choices": []`)
 * is cut out with its blank line, so the client gets the bytes it would have had without the request; a line
 * split between chunks is then held until its end arrives, since it may be that chunk.
 *
 * @example
 * const watch = new StreamUsage({ removeUsageChunk: true });
 * controller.enqueue(watch.filter(chunk)); // ... at the end: controller.enqueue(watch.flush());
 * watch.usage; // { inputTokens, outputTokens, ... } once reported
 */
export class StreamUsage {
  /** The last usage reported, once one was. */
  usage: Usage | undefined;
  /** The model the provider reported with it. */
  model: string | undefined;
  /** `data:` lines seen, the usage-only one and `[DONE]` aside: what an estimate counts when no usage came. */
  dataLines = 0;
  readonly #remove: boolean;
  /** The current line's bytes so far (kept in pieces, joined once at its end), when it began in an earlier chunk. */
  #partial: Uint8Array[] | undefined;
  #partialLength = 0;
  /** The current line passed {@link MAX_LINE_BYTES}: neither kept nor read. */
  #overlong = false;
  /** 0: nothing to drop; 1: the removed event's blank line comes next; 2: its CR came, its LF next. */
  #dropBlank = 0;

  constructor(options: { removeUsageChunk: boolean }) {
    this.#remove = options.removeUsageChunk;
  }

  /** The chunk as the client gets it: the same bytes, or (with `removeUsageChunk`) without the usage chunk. */
  filter(chunk: Uint8Array): Uint8Array {
    // Made only when something is cut or held: most chunks go out as they came, with no allocation.
    let pieces: Uint8Array[] | undefined;
    let lineStart = this.#dropBlank !== 0 && chunk.length > 0 ? this.#skipBlank(chunk) : 0;
    let sendFrom = lineStart;
    // With removal, a line begun in an earlier chunk was held back: it goes out once known not to be the one.
    let held = this.#remove ? this.#partial : undefined;
    for (let end = chunk.indexOf(LF, lineStart); end !== -1; end = chunk.indexOf(LF, lineStart)) {
      const partial = this.#partial;
      const length = this.#partialLength;
      const overlong = this.#overlong;
      this.#partial = undefined;
      this.#partialLength = 0;
      this.#overlong = false;
      const drop = overlong
        ? false
        : partial === undefined
          ? this.#line(chunk, lineStart, end)
          : this.#line(
              concatBytes([...partial, chunk.subarray(lineStart, end)]),
              0,
              length + end - lineStart,
            );
      let next = end + 1;
      if (drop) {
        pieces ??= [];
        if (sendFrom < lineStart) pieces.push(chunk.subarray(sendFrom, lineStart));
        this.#dropBlank = 1;
        next += next < chunk.length ? this.#skipBlank(chunk.subarray(next)) : 0;
        sendFrom = next;
      } else if (held !== undefined) {
        pieces ??= [];
        pieces.push(...held);
      }
      held = undefined;
      lineStart = next;
    }
    let sendTo = chunk.length;
    if (lineStart < chunk.length && !this.#overlong) {
      const rest = chunk.subarray(lineStart);
      if (this.#partialLength + rest.length > MAX_LINE_BYTES) {
        // Too long to be the usage chunk: what was held of it goes on first, then the rest as it comes.
        this.#overlong = true;
        this.#partial = undefined;
        this.#partialLength = 0;
        if (held !== undefined) {
          pieces ??= [];
          pieces.push(...held);
        }
      } else {
        if (this.#partial === undefined) this.#partial = [rest.slice()];
        else this.#partial.push(rest.slice());
        this.#partialLength += rest.length;
        if (this.#remove) sendTo = lineStart;
      }
    }
    if (pieces === undefined) {
      if (sendFrom === 0 && sendTo === chunk.length) return chunk;
      return sendFrom < sendTo ? chunk.subarray(sendFrom, sendTo) : EMPTY;
    }
    if (sendFrom < sendTo) pieces.push(chunk.subarray(sendFrom, sendTo));
    return pieces.length === 1 ? (pieces[0] as Uint8Array) : concatBytes(pieces);
  }

  /** What is still held at the end of the stream (a last line without its line end), to send before closing. */
  flush(): Uint8Array {
    const pieces = this.#partial;
    this.#partial = undefined;
    this.#partialLength = 0;
    if (pieces === undefined) return EMPTY;
    const rest = concatBytes(pieces);
    const drop = this.#line(rest, 0, rest.length);
    return this.#remove && !drop ? rest : EMPTY;
  }

  /** Drops the removed event's blank line at the start of `bytes`; returns where what follows starts. */
  #skipBlank(bytes: Uint8Array): number {
    let at = 0;
    if (this.#dropBlank === 1 && bytes[at] === CR) {
      at++;
      this.#dropBlank = 2;
    }
    if (at < bytes.length) {
      if (bytes[at] === LF) at++;
      this.#dropBlank = 0;
    }
    return at;
  }

  /** Looks at one whole line `bytes[start, end)` (end at its LF); true when it is the chunk to remove. */
  #line(bytes: Uint8Array, start: number, end: number): boolean {
    if (bytes[start] !== D) return false;
    for (let i = 1; i < 5; i++) if (bytes[start + i] !== DATA_FIELD[i]) return false;
    if (usageAt(bytes, start + 5, end) === -1) {
      // `data: [DONE]` is no content.
      let first = start + 5;
      while (first < end && isBlank(bytes[first])) first++;
      if (bytes[first] !== OPEN_BRACKET) this.dataLines++;
      return false;
    }
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(decoder.decode(bytes.subarray(start + 5, end)));
      if (typeof parsed !== 'object' || parsed === null) return false;
      event = parsed as Record<string, unknown>;
    } catch {
      this.dataLines++;
      return false;
    }
    const response =
      typeof event.response === 'object' && event.response !== null
        ? (event.response as Record<string, unknown>)
        : undefined;
    const usage = readUsage(event.usage ?? response?.usage);
    if (usage !== undefined) {
      this.usage = usage;
      const model = event.model ?? response?.model;
      if (typeof model === 'string' && model !== '') this.model = model;
    }
    const usageOnly = Array.isArray(event.choices) && event.choices.length === 0 && usage !== undefined;
    if (!usageOnly) this.dataLines++;
    return this.#remove && usageOnly;
  }
}
