import type { Usage } from '../exchange/request-record.js';

/**
 * Usage for an answer whose provider reported none (a stream cut short, a provider that ignores
 * `include_usage`), marked `estimated`: input as the request body's bytes / 4 (about four bytes of English
 * text per token; the JSON around the messages counts too), output as the content events delivered (streams
 * send about one token per event). Never presented as exact.
 *
 * @example
 * estimateUsage({ requestBytes: 400, events: 12 }); // { inputTokens: 100, outputTokens: 12, ..., estimated: true }
 */
export function estimateUsage(options: { requestBytes: number; events: number }): Usage {
  return {
    inputTokens: Math.ceil(options.requestBytes / 4),
    outputTokens: options.events,
    cachedTokens: 0,
    reasoningTokens: 0,
    estimated: true,
  };
}
