import type { Usage } from '../exchange/request-record.js';
import { memberValue, topLevelMembers } from './json-members.js';
import { readUsage } from './read-usage.js';

const ANSWER_KEYS = ['usage', 'model'] as const;

/**
 * The usage and model a JSON answer reports at its top level (chat and text completions, embeddings, the
 * Responses API, anything with a `usage` object), read on the bytes: only those two members are parsed.
 *
 * @example
 * answerUsage(bytes('{"model":"m","usage":{"prompt_tokens":2,"completion_tokens":1}}')); // { usage: {...}, model: 'm' }
 */
export function answerUsage(bytes: Uint8Array): { usage?: Usage; model?: string } {
  const members = topLevelMembers(bytes, ANSWER_KEYS);
  if (members === undefined) return {};
  const usage = readUsage(memberValue(bytes, members.found.get('usage')));
  const model = memberValue(bytes, members.found.get('model'));
  return {
    ...(usage === undefined ? {} : { usage }),
    ...(typeof model === 'string' && model !== '' ? { model } : {}),
  };
}
