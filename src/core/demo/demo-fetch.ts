import type { UpstreamFetch } from '../providers/transport.js';

const CHAT_MODEL = 'demo-chat';
const EMBEDDING_MODEL = 'demo-embedding';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function error(status: number, message: string, code: string | null = null): Response {
  return json(status, { error: { message, type: 'invalid_request_error', param: null, code } });
}

function readJson(init: RequestInit): Record<string, unknown> | undefined {
  if (!(init.body instanceof Uint8Array)) return undefined;
  try {
    const value: unknown = JSON.parse(decoder.decode(init.body));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const message: unknown = messages[i];
    if (typeof message !== 'object' || message === null) continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (role === 'user' && typeof content === 'string') return content.slice(0, 200);
  }
  return '';
}

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

function streamChat(options: {
  id: string;
  created: number;
  words: string[];
  delayMs: number;
  signal?: AbortSignal | null;
}) {
  const { id, created, words, delayMs, signal } = options;
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: CHAT_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const events = [
    chunk({ role: 'assistant', content: '' }, null),
    ...words.map((word, i) => chunk({ content: i === 0 ? word : ` ${word}` }, null)),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (signal?.aborted) return controller.error(signal.reason);
      const event = events[next++];
      if (event === undefined) return controller.close();
      // The first event goes at once; each later one after a pause, so a client can watch it stream.
      if (next === 1) return controller.enqueue(encoder.encode(event));
      return new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          controller.enqueue(encoder.encode(event));
          resolve();
        }, delayMs);
      });
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
    },
  });
}

/**
 * The built-in demo provider: answers OpenAI-shaped chat completions (plain and streamed), embeddings and
 * the model list without any network, so a fresh install works end to end before any provider is set.
 *
 * @example
 * const demo = createDemoFetch({ now: Date.now });
 * await demo('http://demo.invalid/v1/models', { method: 'GET' }); // 200 {"object":"list",...}
 */
export function createDemoFetch(options: { now: () => number; chunkDelayMs?: number }): UpstreamFetch {
  const delayMs = options.chunkDelayMs ?? 40;
  let counter = 0;
  return async function demoFetch(url, init) {
    const path = new URL(url).pathname;
    const method = init.method ?? 'GET';
    const created = Math.floor(options.now() / 1000);
    if (path === '/v1/models' && method === 'GET') {
      return json(200, {
        object: 'list',
        data: [CHAT_MODEL, EMBEDDING_MODEL].map((id) => ({
          id,
          object: 'model',
          created,
          owned_by: 'gateway-demo',
        })),
      });
    }
    const isChat = path === '/v1/chat/completions';
    if ((!isChat && path !== '/v1/embeddings') || method !== 'POST') {
      return error(404, `The demo provider does not serve ${method} ${path}.`, 'unknown_url');
    }
    const body = readJson(init);
    if (body === undefined) return error(400, 'The request body must be a JSON object.');
    if (!isChat) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      if (!inputs.every((input) => typeof input === 'string'))
        return error(400, '"input" must be a string or strings.');
      const dimensions =
        typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : 16;
      const tokens = inputs.reduce((sum, input) => sum + Math.ceil(input.length / 4), 0);
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
    const said = lastUserText(body.messages);
    const text = `Hello from the gateway's built-in demo provider.${said ? ` You said: "${said}".` : ''} Set DEFAULT_OPENAI_PROVIDER or ADDITIONAL_PROVIDERS to reach a real model.`;
    const words = text.split(' ');
    const id = `chatcmpl-demo-${++counter}`;
    if (body.stream === true) {
      return new Response(streamChat({ id, created, words, delayMs, signal: init.signal }), {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
      });
    }
    const promptTokens = Math.ceil(said.length / 4) + 8;
    return json(200, {
      id,
      object: 'chat.completion',
      created,
      model: CHAT_MODEL,
      choices: [
        { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: words.length,
        total_tokens: promptTokens + words.length,
      },
    });
  };
}
