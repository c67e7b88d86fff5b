const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The demo's models: one for chat and the Responses API, one for embeddings. */
export const CHAT_MODEL = 'demo-chat';
export const EMBEDDING_MODEL = 'demo-embedding';

export type JsonObject = Record<string, unknown>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** An error as OpenAI words it: `{"error":{"message","type","param","code"}}`. */
export function error(status: number, message: string, code: string | null = null): Response {
  return json(status, { error: { message, type: 'invalid_request_error', param: null, code } });
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readJson(init: RequestInit): JsonObject | undefined {
  if (!(init.body instanceof Uint8Array)) return undefined;
  try {
    const value: unknown = JSON.parse(decoder.decode(init.body));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A rough token count, as the demo reports usage: four characters a token. */
export function tokensOf(text: string): number {
  return Math.ceil(text.length / 4);
}

/** What the demo says back, echoing (a bounded part of) the last user text. */
export function answerText(said: string): string {
  return `Hello from the gateway's built-in demo provider.${said ? ` You said: "${said.slice(0, 200)}".` : ''} Set DEFAULT_OPENAI_PROVIDER or ADDITIONAL_PROVIDERS to reach a real model.`;
}

/** Text from a message's content: a string, or parts like `{"type":"text"|"input_text","text":…}`. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/**
 * Arguments for the canned tool call: each required property of the tool's JSON schema gets a value of its
 * type, so SDKs that validate a call's arguments against the schema accept it.
 */
export function cannedArguments(parameters: unknown): string {
  const args: JsonObject = {};
  if (isObject(parameters) && isObject(parameters.properties) && Array.isArray(parameters.required)) {
    for (const name of parameters.required) {
      if (typeof name !== 'string') continue;
      const property = parameters.properties[name];
      const type = isObject(property) ? property.type : undefined;
      const options = isObject(property) && Array.isArray(property.enum) ? property.enum : undefined;
      args[name] =
        options !== undefined && options.length > 0
          ? options[0]
          : type === 'number' || type === 'integer'
            ? 1
            : type === 'boolean'
              ? true
              : type === 'array'
                ? []
                : type === 'object'
                  ? {}
                  : 'demo';
    }
  }
  return JSON.stringify(args);
}

/** Whether the request asks for a tool call: tools given, `tool_choice` not "none". */
export function wantsTool(body: JsonObject): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== 'none';
}

/**
 * Server-sent events, the first at once and each later one after `delayMs`, so a client can watch it stream.
 * An aborted `signal` errors the stream; cancelling it clears the pending timer.
 */
export function eventStream(options: {
  events: readonly string[];
  delayMs: number;
  signal?: AbortSignal | null;
}): ReadableStream<Uint8Array> {
  const { events, delayMs, signal } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (signal?.aborted) return controller.error(signal.reason);
      const event = events[next++];
      if (event === undefined) return controller.close();
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

export function eventStreamResponse(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

/** What every endpoint handler gets. */
export interface DemoRequest {
  readonly body: JsonObject;
  readonly created: number;
  /** A number unique to this demo instance, for ids. */
  readonly serial: number;
  readonly delayMs: number;
  readonly signal?: AbortSignal | null;
}
