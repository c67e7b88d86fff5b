const decoder = new TextDecoder();
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

/** The value of the `model` field of a multipart/form-data body (audio uploads), without decoding the files. */
function multipartModel(body: Uint8Array): string | undefined {
  const field = indexOf(body, MODEL_FIELD);
  if (field === -1) return undefined;
  // Headers of the part end with a blank line; the value runs to the next CRLF (before the boundary).
  const start = indexOf(body, new Uint8Array([13, 10, 13, 10]), field);
  if (start === -1) return undefined;
  const end = indexOf(body, new Uint8Array([13, 10]), start + 4);
  const value = decoder.decode(
    body.subarray(start + 4, end === -1 ? Math.min(body.length, start + 4 + 512) : end),
  );
  return value.trim() || undefined;
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
