const decoder = new TextDecoder();
/** The wordings of providers that give no code: vLLM, llama.cpp, TGI and others quote OpenAI's sentence. */
const WORDED = /maximum context length|context length exceeded|context window|too many tokens in the prompt/i;

/**
 * Whether a provider's 400 body says the request is longer than the model's context window: OpenAI's error
 * code `context_length_exceeded`, or the wording of providers that send no code. Only read for a 400 when a
 * fallback model remains: the usual answer is never parsed.
 *
 * @example
 * isContextLengthError(bytes('{"error":{"code":"context_length_exceeded","message":"..."}}')); // true
 */
export function isContextLengthError(body: Uint8Array): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch {
    return false;
  }
  const error =
    typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'context_length_exceeded') return true;
  return (code === undefined || code === null) && typeof message === 'string' && WORDED.test(message);
}
