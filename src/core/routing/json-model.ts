import {
  type BodyModel,
  invalidModel,
  MAX_MODEL_LENGTH,
  modelFrom,
  NO_MODEL,
  unreadable,
} from './body-model.js';

/** How deep arrays and objects may nest in a routed JSON body. */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MODEL = [0x6d, 0x6f, 0x64, 0x65, 0x6c]; // "model"
// Escaped, "model" is at most 5 × \uXXXX: a longer key cannot be it.
const MAX_MODEL_KEY_BYTES = 30;
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

enum State {
  Value,
  Key,
  After,
}

function isHex(byte: number | undefined): boolean {
  return (
    byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66))
  );
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** The index after the JSON string that opens at `i`, or -1 if it is not one (RFC 8259 §7). */
function skipString(body: Uint8Array, i: number): number {
  const n = body.length;
  for (let j = i + 1; j < n; j++) {
    const byte = body[j] as number;
    if (byte === QUOTE) return j + 1;
    if (byte < 0x20) return -1;
    if (byte === BACKSLASH) {
      const escaped = body[j + 1];
      if (escaped === 0x75) {
        if (!(isHex(body[j + 2]) && isHex(body[j + 3]) && isHex(body[j + 4]) && isHex(body[j + 5])))
          return -1;
        j += 5;
      } else if (escaped !== undefined && ESCAPES.has(escaped)) j += 1;
      else return -1;
    }
  }
  return -1;
}

/** The index after the JSON number that starts at `i`, or -1 (RFC 8259 §6). */
function skipNumber(body: Uint8Array, i: number): number {
  let j = i;
  if (body[j] === 0x2d) j++;
  if (body[j] === 0x30) j++;
  else if (isDigit(body[j]) && body[j] !== 0x30) while (isDigit(body[j])) j++;
  else return -1;
  if (body[j] === 0x2e) {
    j++;
    if (!isDigit(body[j])) return -1;
    while (isDigit(body[j])) j++;
  }
  if (body[j] === 0x65 || body[j] === 0x45) {
    j++;
    if (body[j] === 0x2b || body[j] === 0x2d) j++;
    if (!isDigit(body[j])) return -1;
    while (isDigit(body[j])) j++;
  }
  return j;
}

const LITERALS = [
  [0x74, 0x72, 0x75, 0x65],
  [0x66, 0x61, 0x6c, 0x73, 0x65],
  [0x6e, 0x75, 0x6c, 0x6c],
];

function skipLiteral(body: Uint8Array, i: number): number {
  for (const literal of LITERALS) {
    if (body[i] !== literal[0]) continue;
    for (let k = 1; k < literal.length; k++) if (body[i + k] !== literal[k]) return -1;
    return i + literal.length;
  }
  return -1;
}

function skipSpace(body: Uint8Array, i: number): number {
  let j = i;
  for (;;) {
    const byte = body[j];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return j;
    j++;
  }
}

/** Whether the key string `start..end` (quotes included) decodes to `model`. */
function isModelKey(body: Uint8Array, start: number, end: number): boolean {
  const length = end - start - 2;
  if (length === 5) {
    for (let k = 0; k < 5; k++) if (body[start + 1 + k] !== MODEL[k]) return false;
    return true;
  }
  if (length > MAX_MODEL_KEY_BYTES || body.subarray(start + 1, end - 1).indexOf(BACKSLASH) === -1)
    return false;
  return JSON.parse(new TextDecoder().decode(body.subarray(start, end))) === 'model';
}

/**
 * The top-level `model` of a JSON body, found in one pass over its bytes with no objects built: the whole body
 * is checked to be JSON (RFC 8259: structure, strings, escapes, numbers; nesting at most {@link MAX_JSON_DEPTH}),
 * keys are compared as decoded (`"mod\u0065l"` is `model`), and a body a provider could read differently from
 * the gateway is refused: invalid JSON, `model` twice, a `model` that is not a non-empty string.
 *
 * @example
 * scanJsonModel(new TextEncoder().encode('{"model":"gpt-4o","messages":[]}')); // { kind: 'model', model: 'gpt-4o', start: 9, end: 17 }
 */
export function scanJsonModel(body: Uint8Array): BodyModel {
  const n = body.length;
  // true: an object, false: an array.
  const stack: boolean[] = [];
  let found: { start: number; end: number } | undefined;
  let modelNext = false;
  let problem: BodyModel | undefined;
  let state = State.Value;
  let i = skipSpace(body, 0);
  const broken = () => unreadable(`The request body is not valid JSON (at byte ${Math.min(i, n)}).`);
  for (;;) {
    if (state === State.Value) {
      const byte = body[i];
      const isModelValue = modelNext;
      modelNext = false;
      // A bad model is reported once the whole body is known to be JSON (broken JSON is the first problem).
      if (isModelValue && byte !== QUOTE) problem ??= invalidModel('The model must be a string.');
      if (byte === 0x7b || byte === 0x5b) {
        if (stack.length === MAX_JSON_DEPTH) {
          return unreadable(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
        }
        stack.push(byte === 0x7b);
        i = skipSpace(body, i + 1);
        if (body[i] === (byte === 0x7b ? 0x7d : 0x5d)) {
          stack.pop();
          i++;
          state = State.After;
        } else state = byte === 0x7b ? State.Key : State.Value;
        continue;
      }
      const start = i;
      i =
        byte === QUOTE
          ? skipString(body, i)
          : byte === 0x2d || isDigit(byte)
            ? skipNumber(body, i)
            : skipLiteral(body, i);
      if (i === -1) {
        i = start;
        return broken();
      }
      if (isModelValue && byte === QUOTE) {
        if (found !== undefined) problem ??= invalidModel('The request body names "model" more than once.');
        else if (i - start - 2 > MAX_MODEL_LENGTH * 6) {
          problem ??= invalidModel(`The model name is longer than ${MAX_MODEL_LENGTH} characters.`);
        }
        found = { start, end: i };
      }
      state = State.After;
    } else if (state === State.Key) {
      if (body[i] !== QUOTE) return broken();
      const start = i;
      i = skipString(body, i);
      if (i === -1) {
        i = start;
        return broken();
      }
      modelNext = stack.length === 1 && isModelKey(body, start, i);
      i = skipSpace(body, i);
      if (body[i] !== 0x3a) return broken();
      i = skipSpace(body, i + 1);
      state = State.Value;
    } else {
      i = skipSpace(body, i);
      if (stack.length === 0) {
        if (i !== n) return broken();
        break;
      }
      const inObject = stack[stack.length - 1] as boolean;
      const byte = body[i];
      if (byte === 0x2c) {
        i = skipSpace(body, i + 1);
        state = inObject ? State.Key : State.Value;
      } else if (byte === (inObject ? 0x7d : 0x5d)) {
        stack.pop();
        i++;
      } else return broken();
    }
  }
  if (problem !== undefined) return problem;
  if (found === undefined) return NO_MODEL;
  return modelFrom(body, found, (text) => JSON.parse(text) as string);
}
