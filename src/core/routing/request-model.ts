const decoder = new TextDecoder();
const encoder = new TextEncoder();
const MODEL_FIELD = new TextEncoder().encode('name="model"');

/** Index of `needle` in `haystack`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (
    let i = haystack.indexOf(first as number, from);
    i !== -1;
    i = haystack.indexOf(first as number, i + 1)
  ) {
    if (i + needle.length > haystack.length) return -1;
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Where the value of the `model` field of a multipart/form-data body lies, without decoding the files. */
function multipartModelRange(body: Uint8Array): { start: number; end: number } | undefined {
  const field = indexOf(body, MODEL_FIELD);
  if (field === -1) return undefined;
  // Headers of the part end with a blank line; the value runs to the next CRLF (before the boundary).
  const blank = indexOf(body, new Uint8Array([13, 10, 13, 10]), field);
  if (blank === -1) return undefined;
  const end = indexOf(body, new Uint8Array([13, 10]), blank + 4);
  return { start: blank + 4, end: end === -1 ? Math.min(body.length, blank + 4 + 512) : end };
}

function multipartModel(body: Uint8Array): string | undefined {
  const range = multipartModelRange(body);
  return range === undefined
    ? undefined
    : decoder.decode(body.subarray(range.start, range.end)).trim() || undefined;
}

/**
 * The model a request asks for: the `model` field of a JSON body, or of a multipart form (audio). Undefined
 * when there is none (GET /v1/models, files). Only called when routing needs it: without `models` anywhere in
 * the configuration the body is never looked at.
 *
 * @example
 * requestModel('application/json', new TextEncoder().encode('{"model":"gpt-4o"}')); // 'gpt-4o'
 */
export function requestModel(contentType: string | null, body: Uint8Array | undefined): string | undefined {
  if (body === undefined || body.byteLength === 0 || contentType === null) return undefined;
  if (contentType.startsWith('multipart/form-data')) return multipartModel(body);
  if (!contentType.includes('json')) return undefined;
  try {
    const parsed: unknown = JSON.parse(decoder.decode(body));
    const model =
      typeof parsed === 'object' && parsed !== null ? (parsed as { model?: unknown }).model : undefined;
    return typeof model === 'string' && model !== '' ? model : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The same body asking for `model` instead: the one case where the gateway rewrites a body (a provider that
 * knows the requested model under its own name). JSON is re-serialised; a multipart form gets the bytes of its
 * `model` field replaced, the files untouched.
 *
 * @example
 * withModel('application/json', bytes('{"model":"llama-70b"}'), 'llama-3.1-70b-versatile');
 */
export function withModel(
  contentType: string | null,
  body: Uint8Array,
  model: string,
): Uint8Array<ArrayBuffer> {
  if (contentType?.startsWith('multipart/form-data')) {
    const range = multipartModelRange(body);
    if (range === undefined) return new Uint8Array(body);
    const value = encoder.encode(model);
    const out = new Uint8Array(body.length - (range.end - range.start) + value.length);
    out.set(body.subarray(0, range.start), 0);
    out.set(value, range.start);
    out.set(body.subarray(range.end), range.start + value.length);
    return out;
  }
  const parsed = JSON.parse(decoder.decode(body)) as Record<string, unknown>;
  // TextEncoder always allocates a fresh ArrayBuffer (some lib typings say ArrayBufferLike).
  return encoder.encode(JSON.stringify({ ...parsed, model })) as Uint8Array<ArrayBuffer>;
}
