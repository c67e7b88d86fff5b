import type { BodySource } from '../exchange/exchange.js';

/**
 * What the event-stream relay needs to continue a stream that failed after content reached the client:
 * it shows the hook each chunk it sent (by reference: no copy), and on a failure asks for the continued
 * stream, which it then relays in place of the failed one. The relay holds no more than this interface;
 * `continuation.ts` makes it.
 */
export interface StreamContinuation {
  /** A chunk of whole events the client received. */
  delivered(chunk: Uint8Array): void;
  /** The continued stream, rewritten to read as the same answer; undefined when no candidate took it. */
  resume(): Promise<BodySource | undefined>;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The most of an unfinished event the relay holds back while a continuation is possible. A longer event gives
 * the continuation up: the relay then sends everything as it comes, as without one (a provider could otherwise
 * make it hold, and scan again at every chunk, an event without end).
 */
export const MAX_PARTIAL_EVENT_BYTES = 1 << 20;

/**
 * Where the last whole SSE event of `bytes` ends (just after its blank line: LF LF or CRLF CRLF), or 0 when
 * none does. With a continuation configured, the relay sends only whole events, so a cut stream leaves no
 * half event in the client's parser for the continued one to run into.
 *
 * @example
 * lastEventEnd(bytes('data: 1\n\ndata: 2')); // 9
 */
export function lastEventEnd(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 1; i--) {
    if (bytes[i] !== LF) continue;
    if (bytes[i - 1] === LF) return i + 1;
    if (bytes[i - 1] === CR && i >= 3 && bytes[i - 2] === LF && bytes[i - 3] === CR) return i + 1;
  }
  return 0;
}
