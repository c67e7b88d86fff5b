import { memberValue, topLevelMembers } from './json-members.js';

const REQUEST_KEYS = ['model', 'stream', 'stream_options'] as const;
/** Chat and text completions streams report usage only when asked with `stream_options.include_usage`. */
const USAGE_ON_REQUEST = /^\/v1\/(?:chat\/)?completions(?:\?|$)/;
const TRUE = [0x74, 0x72, 0x75, 0x65];
const encoder = new TextEncoder();
const INSERTED = encoder.encode('"stream_options":{"include_usage":true},');

export interface RequestUsagePlan {
  /** The model the body names, if any. */
  model?: string;
  /** The body to send upstream: the client's, or (only to ask for usage) one with `include_usage` set. */
  body: Uint8Array<ArrayBuffer>;
  /** The gateway asked for usage on the client's behalf: the usage-only chunk is not the client's. */
  injected: boolean;
}

const isTrue = (bytes: Uint8Array, start: number, end: number) =>
  end - start === 4 && TRUE.every((byte, index) => bytes[start + index] === byte);

/**
 * Reads what accounting needs from a JSON request body on its bytes (the model; for a chat or text
 * completions stream, whether the client asked for usage), and, when it did not, asks the provider for it:
 * `"stream_options":{"include_usage":true}` inserted after the opening brace, or the client's `stream_options`
 * object with `include_usage` set. Every other byte of the body is kept.
 *
 * @example
 * planRequestUsage('/v1/chat/completions', 'application/json', bytes('{"stream":true}'));
 * // { body: '{"stream_options":{"include_usage":true},"stream":true}', injected: true }
 */
export function planRequestUsage(
  target: string,
  contentType: string | null,
  body: Uint8Array<ArrayBuffer>,
): RequestUsagePlan {
  if (contentType === null || !contentType.includes('json')) return { body, injected: false };
  const members = topLevelMembers(body, REQUEST_KEYS);
  if (members === undefined) return { body, injected: false };
  const model = memberValue(body, members.found.get('model'));
  const plan = { body, injected: false, ...(typeof model === 'string' && model !== '' ? { model } : {}) };
  const stream = members.found.get('stream');
  if (stream === undefined || !isTrue(body, stream.start, stream.end) || !USAGE_ON_REQUEST.test(target)) {
    return plan;
  }
  const optionsRange = members.found.get('stream_options');
  if (optionsRange === undefined) {
    const out = new Uint8Array(body.length + INSERTED.length);
    out.set(body.subarray(0, members.open + 1), 0);
    out.set(INSERTED, members.open + 1);
    out.set(body.subarray(members.open + 1), members.open + 1 + INSERTED.length);
    return { ...plan, body: out, injected: true };
  }
  const options = memberValue(body, optionsRange);
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) {
    if ((options as { include_usage?: unknown }).include_usage === true) return plan;
  } else if (options !== null) {
    // Not an object: the provider will refuse the request as it is; nothing to add.
    return plan;
  }
  const replaced = encoder.encode(JSON.stringify({ ...(options ?? {}), include_usage: true }));
  const out = new Uint8Array(body.length - (optionsRange.end - optionsRange.start) + replaced.length);
  out.set(body.subarray(0, optionsRange.start), 0);
  out.set(replaced, optionsRange.start);
  out.set(body.subarray(optionsRange.end), optionsRange.start + replaced.length);
  return { ...plan, body: out, injected: true };
}
