/** Visible ASCII, with inner spaces: a field value every runtime sends as it is (RFC 9110 §5.5). */
const PLAIN_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * A header value made from client input (a model name), safe to set on any runtime: kept as it is when it is
 * plain visible ASCII, else percent-encoded as UTF-8 (`模型` as `%E6%A8%A1%E5%9E%8B`, a line break as `%0A`),
 * and undefined (leave the header out) when it cannot be encoded (a lone surrogate) or is empty.
 *
 * @example
 * headerValue('gpt-4o'); // 'gpt-4o'
 * headerValue('m\nx');   // 'm%0Ax'
 */
export function headerValue(text: string): string | undefined {
  if (PLAIN_VALUE.test(text)) return text;
  try {
    return text === '' ? undefined : encodeURIComponent(text);
  } catch {
    return undefined;
  }
}
