import { type DemoRequest, EMBEDDING_MODEL, error, json, tokensOf } from './demo-shared.js';

/** OpenAI's `encoding_format: "base64"`: little-endian float32s, base64-encoded. */
function toBase64(vector: number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A deterministic unit vector from the text, so equal inputs get equal embeddings. */
function embed(text: string, dimensions: number): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  const vector = Array.from({ length: dimensions }, (_, i) => Math.sin(seed + i * 7919));
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

/**
 * `POST /v1/embeddings`: a deterministic vector per input string (16 dimensions unless `dimensions` says).
 *
 * @example
 * demoEmbeddings({ body: { model: 'demo-embedding', input: 'hi' }, created, serial: 1, delayMs: 0 });
 */
export function demoEmbeddings(request: DemoRequest): Response {
  const { body } = request;
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  if (!inputs.every((input) => typeof input === 'string')) {
    return error(400, '"input" must be a string or strings.');
  }
  const dimensions =
    typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : 16;
  const tokens = inputs.reduce((sum, input) => sum + tokensOf(input), 0);
  return json(200, {
    object: 'list',
    model: EMBEDDING_MODEL,
    data: inputs.map((input, index) => {
      const vector = embed(input, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: body.encoding_format === 'base64' ? toBase64(vector) : vector,
      };
    }),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
