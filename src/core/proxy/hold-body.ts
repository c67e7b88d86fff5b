import { concatBytes } from '../exchange/bytes.js';
import type { BodyReader } from '../exchange/exchange.js';
import { DecodedBodyTooLargeError } from '../providers/decoded-limit.js';
import type { StartTimer } from '../resilience/start-timer.js';
import { watchIdle } from './idle-watchdog.js';

export type HeldBody =
  | { ok: true; complete: true; bytes: Uint8Array<ArrayBuffer> }
  | { ok: true; complete: false; held: Uint8Array[]; reader: BodyReader }
  | { ok: false; reason: 'stalled' | 'failed' | 'too_large' };

/**
 * Reads an upstream body whole, up to `maxBytes`, before anything is sent: a JSON answer cut short upstream is
 * then a failed attempt to retry, never a truncated answer handed on. A body that outgrows `maxBytes` is
 * returned part-read, to be streamed on. A compressed body that decodes past its cap fails (`too_large`).
 *
 * @example
 * const body = await holdBody(response.body.getReader(), { maxBytes: 8 << 20, idleMs: 20_000, now: Date.now, abort });
 */
export async function holdBody(
  reader: BodyReader,
  options: {
    maxBytes: number;
    idleMs: number;
    now: () => number;
    abort: () => void;
    startTimer?: StartTimer | undefined;
  },
): Promise<HeldBody> {
  // A small answer has usually arrived whole by now: held without a read per chunk or an idle timer.
  const rest = reader.takeRest?.();
  if (rest !== undefined) {
    let size = 0;
    for (const chunk of rest) size += chunk.byteLength;
    if (size <= options.maxBytes) return { ok: true, complete: true, bytes: concatBytes(rest) };
    return { ok: true, complete: false, held: rest, reader };
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  let stalled = false;
  const watchdog = watchIdle({
    idleMs: options.idleMs,
    now: options.now,
    startTimer: options.startTimer,
    onIdle: () => {
      stalled = true;
      options.abort();
      reader.cancel().catch(() => {});
    },
  });
  try {
    for (;;) {
      watchdog.reading();
      const result = await reader.read();
      watchdog.received();
      if (stalled) return { ok: false, reason: 'stalled' };
      if (result.done) break;
      chunks.push(result.value);
      length += result.value.byteLength;
      if (length > options.maxBytes) return { ok: true, complete: false, held: chunks, reader };
    }
  } catch (error) {
    if (error instanceof DecodedBodyTooLargeError) return { ok: false, reason: 'too_large' };
    return { ok: false, reason: stalled ? 'stalled' : 'failed' };
  } finally {
    watchdog.stop();
  }
  return { ok: true, complete: true, bytes: concatBytes(chunks) };
}
