/** What a body says about its model, read without building the body as objects. */
export type BodyModel =
  | { readonly kind: 'none' }
  /** `start`/`end`: the bytes of the value as written (a JSON string with its quotes; a form field's value). */
  | { readonly kind: 'model'; readonly model: string; readonly start: number; readonly end: number }
  | { readonly kind: 'refused'; readonly code: 'invalid_model' | 'unreadable_body'; readonly reason: string };

export const NO_MODEL: BodyModel = { kind: 'none' };

/** The longest model name read from a body, in characters (UTF-16 code units). */
export const MAX_MODEL_LENGTH = 256;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A body the gateway cannot read a model from unambiguously. */
export function unreadable(reason: string): BodyModel {
  return { kind: 'refused', code: 'unreadable_body', reason };
}

/** A model value that is there but cannot be routed. */
export function invalidModel(reason: string): BodyModel {
  return { kind: 'refused', code: 'invalid_model', reason };
}

/** The model of bytes `start..end` once decoded (`decode`), checked: valid UTF-8, not empty, not too long. */
export function modelFrom(
  bytes: Uint8Array,
  range: { start: number; end: number },
  decode: (text: string) => string = (text) => text,
): BodyModel {
  let text: string;
  try {
    text = decode(strictUtf8.decode(bytes.subarray(range.start, range.end)));
  } catch {
    return invalidModel('The model is not valid UTF-8 text.');
  }
  if (text === '') return invalidModel('The model must not be empty.');
  if (text.length > MAX_MODEL_LENGTH) {
    return invalidModel(`The model name is longer than ${MAX_MODEL_LENGTH} characters.`);
  }
  return { kind: 'model', model: text, ...range };
}
