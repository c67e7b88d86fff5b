import {
  answerText,
  CHAT_MODEL,
  cannedArguments,
  contentText,
  type DemoRequest,
  eventStream,
  eventStreamResponse,
  isObject,
  type JsonObject,
  json,
  tokensOf,
  wantsTool,
} from './demo-shared.js';

/** The last user text of `input`: a string, or items like `{"role":"user","content":…}`. */
function lastUserText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  for (let i = input.length - 1; i >= 0; i--) {
    const item: unknown = input[i];
    if (isObject(item) && item.role === 'user') return contentText(item.content);
  }
  return '';
}

/** The tool the demo calls: the first function tool of a Responses request (`{type, name, parameters}`). */
function firstTool(tools: unknown): { name: string; parameters: unknown } | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (const tool of tools) {
    if (isObject(tool) && tool.type === 'function' && typeof tool.name === 'string') {
      return { name: tool.name, parameters: tool.parameters };
    }
  }
  return undefined;
}

/**
 * `POST /v1/responses`: a canned message (or a canned call of the first function tool, unless the input
 * already ends with a tool's output), whole or as the event sequence OpenAI streams: `response.created`,
 * `response.in_progress`, the output item's `added` / deltas / `done` events, then `response.completed` with
 * the usage. No `[DONE]`: Responses streams end with `response.completed`.
 *
 * @example
 * demoResponses({ body: { model: 'demo-chat', input: 'Hi' }, created, serial: 1, delayMs: 40 });
 */
export function demoResponses(request: DemoRequest): Response {
  const { body, created, serial, delayMs, signal } = request;
  const input = body.input;
  const last: unknown = Array.isArray(input) ? input.at(-1) : undefined;
  const tool =
    wantsTool(body) && !(isObject(last) && last.type === 'function_call_output')
      ? firstTool(body.tools)
      : undefined;
  const id = `resp_demo_${serial}`;
  const itemId = tool === undefined ? `msg_demo_${serial}` : `fc_demo_${serial}`;
  const text = answerText(lastUserText(input));
  const args = tool === undefined ? '' : cannedArguments(tool.parameters);
  const inputTokens = tokensOf(JSON.stringify(input ?? '')) + tokensOf(String(body.instructions ?? ''));
  const outputTokens = tool === undefined ? text.split(' ').length : tokensOf(args) + 4;
  const part = { type: 'output_text', text, annotations: [], logprobs: [] };
  const item: JsonObject =
    tool === undefined
      ? { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] }
      : {
          id: itemId,
          type: 'function_call',
          status: 'completed',
          call_id: `call_demo_${serial}`,
          name: tool.name,
          arguments: args,
        };
  const response = (status: 'in_progress' | 'completed', output: JsonObject[]) => ({
    id,
    object: 'response',
    created_at: created,
    status,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: CHAT_MODEL,
    output,
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage:
      status === 'completed'
        ? {
            input_tokens: inputTokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: inputTokens + outputTokens,
          }
        : null,
    metadata: isObject(body.metadata) ? body.metadata : {},
    ...(status === 'completed' && tool === undefined ? { output_text: text } : {}),
  });

  if (body.stream !== true) return json(200, response('completed', [item]));

  let sequence = 0;
  const event = (type: string, fields: JsonObject) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const at = { output_index: 0 };
  const inItem = { item_id: itemId, ...at };
  const events = [
    event('response.created', { response: response('in_progress', []) }),
    event('response.in_progress', { response: response('in_progress', []) }),
  ];
  if (tool === undefined) {
    events.push(
      event('response.output_item.added', {
        ...at,
        item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
      }),
      event('response.content_part.added', {
        ...inItem,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      }),
      ...text.split(' ').map((word, i) =>
        event('response.output_text.delta', {
          ...inItem,
          content_index: 0,
          delta: i === 0 ? word : ` ${word}`,
          logprobs: [],
        }),
      ),
      event('response.output_text.done', { ...inItem, content_index: 0, text, logprobs: [] }),
      event('response.content_part.done', { ...inItem, content_index: 0, part }),
    );
  } else {
    events.push(
      event('response.output_item.added', { ...at, item: { ...item, status: 'in_progress', arguments: '' } }),
      event('response.function_call_arguments.delta', { ...inItem, delta: args }),
      event('response.function_call_arguments.done', { ...inItem, name: tool.name, arguments: args }),
    );
  }
  events.push(
    event('response.output_item.done', { ...at, item }),
    event('response.completed', { response: response('completed', [item]) }),
  );
  return eventStreamResponse(eventStream({ events, delayMs, signal }));
}
