import { type BodyModel, invalidModel, modelFrom, NO_MODEL, unreadable } from './body-model.js';

const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');
const CRLF = encoder.encode('\r\n');
const BLANK_LINE = encoder.encode('\r\n\r\n');
/** How long one part's header block may be. */
const MAX_PART_HEADER_BYTES = 8 * 1024;
/** RFC 2046 §5.1.1: 1-70 characters of bchars, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PLAIN_TEXT = /^text\/plain(?:\s*;\s*charset="?utf-8"?)?$/i;

/** Index of `needle` in `haystack` from `from`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number;
  outer: for (let i = haystack.indexOf(first, from); i !== -1; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function startsWith(haystack: Uint8Array, needle: Uint8Array, at: number): boolean {
  if (at + needle.length > haystack.length) return false;
  for (let j = 0; j < needle.length; j++) if (haystack[at + j] !== needle[j]) return false;
  return true;
}

/** `form-data; name="x"; filename="y"` as its parameters, or undefined when it is not exactly that shape. */
function dispositionParams(value: string): Map<string, string> | undefined {
  const match = /^form-data\s*(;.*)?$/i.exec(value);
  if (match === null) return undefined;
  const params = new Map<string, string>();
  let rest = match[1] ?? '';
  while (rest !== '') {
    const param = /^;\s*([^=\s;]+)\s*=\s*(?:"([^"\\\r\n]*)"|([^";\s\\]+))\s*/.exec(rest);
    if (param === null) return undefined;
    const name = (param[1] as string).toLowerCase();
    // name*= (RFC 2231/5987 encodings) and repeated parameters are read differently by different parsers.
    if (!TOKEN.test(name) || name.endsWith('*') || params.has(name)) return undefined;
    params.set(name, param[2] ?? (param[3] as string));
    rest = rest.slice(param[0].length);
  }
  return params;
}

/** The boundary of a multipart/form-data Content-Type's parameters (`; boundary=...`), or undefined. */
export function boundaryOf(parameters: ReadonlyMap<string, string>): string | undefined {
  const boundary = parameters.get('boundary');
  return boundary !== undefined && BOUNDARY.test(boundary) ? boundary : undefined;
}

/**
 * The `model` field of a multipart/form-data body (audio transcriptions send it so), read strictly by its
 * boundary (RFC 7578, RFC 2046 §5.1.1) so that no provider's parser can find another: the body starts with the
 * first delimiter (no preamble), each delimiter line is exactly `--boundary` + CRLF, the close delimiter ends
 * the body (a CRLF after it at most), every part has one `Content-Disposition: form-data; name=...` and no
 * folded or malformed header line. Refused: a `model` part twice, with a filename or an encoding, or empty.
 * Files are never decoded: their bytes are only searched for the next delimiter.
 *
 * @example
 * scanMultipartModel(body, 'xyz'); // { kind: 'model', model: 'whisper-1', start, end }
 */
export function scanMultipartModel(body: Uint8Array, boundary: string): BodyModel {
  const dashBoundary = encoder.encode(`--${boundary}`);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const malformed = (why: string) => unreadable(`The multipart/form-data body is malformed: ${why}.`);
  if (!startsWith(body, dashBoundary, 0)) return malformed('it must start with the boundary delimiter');
  let at = dashBoundary.length;
  let found: { start: number; end: number } | undefined;
  let problem: BodyModel | undefined;
  for (;;) {
    // After a delimiter: CRLF and a part, or "--" and the end.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) {
      const rest = body.length - at - 2;
      if (rest === 0 || (rest === 2 && startsWith(body, CRLF, at + 2))) break;
      return malformed('nothing may follow the closing delimiter');
    }
    if (!startsWith(body, CRLF, at)) return malformed('a delimiter line must end right after the boundary');
    const headersStart = at + 2;
    const headersEnd = indexOf(
      body.subarray(0, headersStart + MAX_PART_HEADER_BYTES + 4),
      BLANK_LINE,
      headersStart - 2,
    );
    if (headersEnd === -1) return malformed('a part has no end of headers');
    const contentStart = headersEnd + 4;
    // From the part's start: a delimiter inside its headers, or right after them, is one to other parsers too.
    const contentEnd = indexOf(body, delimiter, at);
    if (contentEnd === -1 || contentEnd < contentStart)
      return malformed('a part is not closed by a delimiter');
    let name: string | undefined;
    let file = false;
    let plain = true;
    let dispositions = 0;
    const headerBlock =
      headersEnd > headersStart ? latin1.decode(body.subarray(headersStart, headersEnd)) : '';
    for (const line of headerBlock === '' ? [] : headerBlock.split('\r\n')) {
      const colon = line.indexOf(':');
      const field = colon === -1 ? '' : line.slice(0, colon).toLowerCase();
      // A bare CR or LF ends a line for some parsers and not for others.
      if (!TOKEN.test(field) || /[\r\n]/.test(line)) return malformed('a part has a malformed header line');
      const value = line.slice(colon + 1).trim();
      if (field === 'content-disposition') {
        dispositions += 1;
        const params = dispositionParams(value);
        if (params === undefined)
          return malformed('a part has a Content-Disposition other than form-data; name=...');
        name = params.get('name');
        file = params.has('filename');
      } else if (field === 'content-transfer-encoding') plain = false;
      else if (field === 'content-type') plain &&= PLAIN_TEXT.test(value);
    }
    if (dispositions !== 1 || name === undefined)
      return malformed('every part needs one Content-Disposition with a name');
    // A bad model is reported once the whole form is known to be well formed (a broken form is the first problem).
    if (name === 'model') {
      if (found !== undefined) problem ??= invalidModel('The form names "model" more than once.');
      if (file || !plain) {
        problem ??= invalidModel('The model field must be plain text, not a file or an encoded part.');
      }
      found = { start: contentStart, end: contentEnd };
    }
    at = contentEnd + delimiter.length;
  }
  if (problem !== undefined) return problem;
  return found === undefined ? NO_MODEL : modelFrom(body, found);
}
