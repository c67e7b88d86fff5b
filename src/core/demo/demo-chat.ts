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

function lastUserText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const message: unknown = messages[i];
    if (isObject(message) && message.role === 'user') return contentText(message.content);
  }
  return '';
}

/** The tool the demo calls: the first function tool of a chat completions request (`{type, function}`). */
function firstTool(tools: unknown): { name: string; parameters: unknown } | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (const tool of tools) {
    if (isObject(tool) && isObject(tool.function) && typeof tool.function.name === 'string') {
      return { name: tool.function.name, parameters: tool.function.parameters };
    }
  }
  return undefined;
}

/**
 * `POST /v1/chat/completions`: a canned answer (plain or streamed), or a canned call of the first tool when
 * tools are given and the conversation does not already end with a tool's result. A stream carries a usage-only
 * last chunk when `stream_options.include_usage` is set, as OpenAI sends it.
 *
 * @example
 * demoChat({ body: { model: 'demo-chat', messages }, created, serial: 1, delayMs: 40 });
 */
export function demoChat(request: DemoRequest): Response {
  const { body, created, serial, delayMs, signal } = request;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const said = lastUserText(messages);
  const last: unknown = messages.at(-1);
  const tool =
    wantsTool(body) && !(isObject(last) && last.role === 'tool') ? firstTool(body.tools) : undefined;
  const text = answerText(said);
  const words = text.split(' ');
  const id = `chatcmpl-demo-${serial}`;
  const callId = `call_demo_${serial}`;
  const args = tool === undefined ? '' : cannedArguments(tool.parameters);
  const promptTokens = tokensOf(JSON.stringify(messages));
  const completionTokens = tool === undefined ? words.length : tokensOf(args) + 4;
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const finish = tool === undefined ? 'stop' : 'tool_calls';

  if (body.stream !== true) {
    const message =
      tool === undefined
        ? { role: 'assistant', content: text, refusal: null }
        : {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [{ id: callId, type: 'function', function: { name: tool.name, arguments: args } }],
          };
    return json(200, {
      id,
      object: 'chat.completion',
      created,
      model: CHAT_MODEL,
      choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
      usage,
    });
  }

  const withUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (choices: JsonObject[], extra: JsonObject = withUsage ? { usage: null } : {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: CHAT_MODEL, choices, ...extra })}\n\n`;
  const delta = (value: JsonObject, finishReason: string | null = null) =>
    chunk([{ index: 0, delta: value, finish_reason: finishReason, logprobs: null }]);
  const events =
    tool === undefined
      ? [
          delta({ role: 'assistant', content: '' }),
          ...words.map((word, i) => delta({ content: i === 0 ? word : ` ${word}` })),
        ]
      : [
          delta({
            role: 'assistant',
            content: null,
            tool_calls: [
              { index: 0, id: callId, type: 'function', function: { name: tool.name, arguments: '' } },
            ],
          }),
          delta({ tool_calls: [{ index: 0, function: { arguments: args } }] }),
        ];
  events.push(delta({}, finish));
  if (withUsage) events.push(chunk([], { usage }));
  events.push('data: [DONE]\n\n');
  return eventStreamResponse(eventStream({ events, delayMs, signal }));
}
