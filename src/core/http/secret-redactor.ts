/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

// A credential in the shapes error messages quote them: an Authorization value (scheme, space, credential), or
// an OpenAI-style key (issued lowercase).
const WHITESPACE = /\s/;
const SCHEME_CREDENTIAL = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const SK_KEY = /\bsk-[A-Za-z0-9_-]{8,}/g;
// Percent-escapes of ASCII: a key in a path may arrive as client%2Dkey (or %252D, escaped twice).
const ASCII_ESCAPE = /%([0-7][0-9A-Fa-f])/g;
const MAX_UNESCAPES = 3;

/** `text` with its ASCII percent-escapes decoded, up to three times over (so `%252D` is `-`). */
function unescapeAscii(text: string): string {
  let decoded = text;
  for (let round = 0; round < MAX_UNESCAPES && decoded.includes('%'); round++) {
    const next = decoded.replace(ASCII_ESCAPE, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === decoded) break;
    decoded = next;
  }
  return decoded;
}

/**
 * Makes text safe to log: every configured secret (provider tokens, client keys) and anything shaped like a
 * credential (`Bearer ...`, `sk-...`) replaced with {@link REDACTED}, percent-encoded ones included. For text the gateway does not write
 * itself: the message of an unexpected error (it may quote a header it choked on), a request's path (a client
 * may put its key there).
 *
 * @example
 * const redact = createSecretRedactor(['tok-123']);
 * redact('Invalid value "Bearer tok-123" for header'); // 'Invalid value "Bearer [redacted]" for header'
 */
export function createSecretRedactor(secrets: readonly string[]): (text: string) => string {
  // Longest first, so that a secret that contains another is replaced whole.
  const known = [...new Set(secrets.filter((secret) => secret.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  return function redactSecrets(text) {
    let safe = text;
    // A secret percent-encoded (in a path) is a secret too: then the text is shown decoded, the secret redacted.
    if (text.includes('%')) {
      const decoded = unescapeAscii(text);
      if (decoded.includes('sk-') || known.some((secret) => decoded.includes(secret))) safe = decoded;
    }
    for (const secret of known) if (safe.includes(secret)) safe = safe.split(secret).join(REDACTED);
    // Most text (a request's path) has neither a space nor `sk-`, and skips both replaces.
    if (WHITESPACE.test(safe)) safe = safe.replace(SCHEME_CREDENTIAL, `$1 ${REDACTED}`);
    if (safe.includes('sk-')) safe = safe.replace(SK_KEY, REDACTED);
    return safe;
  };
}
