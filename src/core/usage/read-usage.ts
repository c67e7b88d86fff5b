import type { Usage } from '../exchange/request-record.js';

type Fields = Readonly<Record<string, unknown>>;

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
const fields = (value: unknown): Fields =>
  typeof value === 'object' && value !== null ? (value as Fields) : {};

/**
 * The provider's `usage` object as the gateway counts it. Reads the chat and text completions shape
 * (`prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`,
 * `completion_tokens_details.reasoning_tokens`), embeddings (`prompt_tokens` only), the Responses API's
 * (`input_tokens`, `output_tokens` and their `_details`), and the cached-token fields some compatible providers
 * use instead (`cache_read_input_tokens`, `prompt_cache_hit_tokens`). Undefined when it holds no token count.
 *
 * @example
 * readUsage({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 }); // { inputTokens: 9, outputTokens: 3, ... }
 */
export function readUsage(value: unknown): Usage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const usage = value as Fields;
  const input = usage.prompt_tokens ?? usage.input_tokens;
  const output = usage.completion_tokens ?? usage.output_tokens;
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  const inputDetails = fields(usage.prompt_tokens_details ?? usage.input_tokens_details);
  const outputDetails = fields(usage.completion_tokens_details ?? usage.output_tokens_details);
  return {
    inputTokens: count(input),
    outputTokens: count(output),
    cachedTokens: count(
      inputDetails.cached_tokens ?? usage.cache_read_input_tokens ?? usage.prompt_cache_hit_tokens,
    ),
    reasoningTokens: count(outputDetails.reasoning_tokens),
    estimated: false,
  };
}
