/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

// A credential in the shapes error messages quote them: an Authorization value (scheme, space, credential), or
// an OpenAI-style key (issued lowercase).
const WHITESPACE = /\s/;
const SCHEME_CREDENTIAL = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const SK_KEY = /\bsk-[A-Za-z0-9_-]{8,}/g;

/**
 * Makes text safe to log: every configured secret (provider tokens, client keys) and anything shaped like a
 * credential (`Bearer ...`, `sk-...`) replaced with {@link REDACTED}. For text the gateway does not write
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
    for (const secret of known) if (safe.includes(secret)) safe = safe.split(secret).join(REDACTED);
    // Most text (a request's path) has neither a space nor `sk-`, and skips both replaces.
    if (WHITESPACE.test(safe)) safe = safe.replace(SCHEME_CREDENTIAL, `$1 ${REDACTED}`);
    if (safe.includes('sk-')) safe = safe.replace(SK_KEY, REDACTED);
    return safe;
  };
}
