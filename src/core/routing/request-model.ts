import type { BodyModel } from './body-model.js';
import { NO_MODEL, unreadable } from './body-model.js';
import { scanJsonModel } from './json-model.js';
import { parseMediaType } from './media-type.js';
import { boundaryOf, scanMultipartModel } from './multipart-model.js';

const encoder = new TextEncoder();

/** The request headers the model is read by. */
export interface ModelHeaders {
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
}

/** A request's model as read from its body: where it lies, and in which format (for {@link withModel}). */
export type RequestModel = BodyModel & { readonly json?: boolean };

/**
 * The model a request asks for, read so that the provider cannot read another: the top-level `model` of an
 * `application/json` body ({@link scanJsonModel}) or the `model` field of a `multipart/form-data` one
 * ({@link scanMultipartModel}); `none` for an empty body (GET /v1/models, files). Refused: a compressed body
 * (Content-Encoding), a missing, malformed or other Content-Type, a JSON charset other than UTF-8. Only called
 * when routing needs it: without `models` anywhere in the configuration the body is never looked at.
 *
 * @example
 * readRequestModel({ contentType: 'application/json', contentEncoding: null }, bytes('{"model":"gpt-4o"}'));
 * // { kind: 'model', model: 'gpt-4o', start: 9, end: 17, json: true }
 */
export function readRequestModel(headers: ModelHeaders, body: Uint8Array | undefined): RequestModel {
  if (body === undefined || body.byteLength === 0) return NO_MODEL;
  const encoding = headers.contentEncoding?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return unreadable(
      'A compressed request body (Content-Encoding) cannot be routed by model: send it uncompressed.',
    );
  }
  const media = headers.contentType === null ? undefined : parseMediaType(headers.contentType);
  if (media?.type === 'application/json') {
    const charset = media.parameters.get('charset')?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return unreadable('A JSON request body must be UTF-8 (charset=utf-8).');
    }
    const found = scanJsonModel(body);
    return found.kind === 'model' ? { ...found, json: true } : found;
  }
  if (media?.type === 'multipart/form-data') {
    const boundary = boundaryOf(media.parameters);
    if (boundary === undefined)
      return unreadable('A multipart/form-data body needs a valid boundary parameter.');
    const found = scanMultipartModel(body, boundary);
    return found.kind === 'model' ? { ...found, json: false } : found;
  }
  return unreadable(
    'This gateway routes by model and reads it only from application/json or multipart/form-data bodies: set Content-Type to one of them.',
  );
}

/**
 * The same body asking for `model` instead: the one case where the gateway rewrites a body (a provider that
 * knows the requested model under its own name, or a fallback model). Only the bytes of the model's value are
 * replaced; everything else, files included, stays byte for byte.
 *
 * @example
 * withModel(body, found, 'llama-3.1-70b-versatile'); // found: what readRequestModel gave for body
 */
export function withModel(
  body: Uint8Array,
  found: { readonly start: number; readonly end: number; readonly json?: boolean },
  model: string,
): Uint8Array<ArrayBuffer> {
  const value = encoder.encode(found.json === true ? JSON.stringify(model) : model);
  const out = new Uint8Array(body.length - (found.end - found.start) + value.length);
  out.set(body.subarray(0, found.start), 0);
  out.set(value, found.start);
  out.set(body.subarray(found.end), found.start + value.length);
  return out;
}
