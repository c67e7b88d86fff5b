/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

// A credential in the shapes error messages quote them: an Authorization value, or an OpenAI-style key.
const CREDENTIAL_SHAPES = /\b(Bearer|Basic)\s+[^\s"',;]+|\bsk-[A-Za-z0-9_-]{8,}/gi;

/**
 * Makes text safe to log: every configured secret (provider tokens, client keys) and anything shaped like a
 * credential (`Bearer ...`, `sk-...`) replaced with {@link REDACTED}. For free text the gateway does not
 * write itself, such as the message of an unexpected error, which may quote a header it choked on.
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
    for (const secret of known) safe = safe.split(secret).join(REDACTED);
    return safe.replace(CREDENTIAL_SHAPES, (_match, scheme: string | undefined) =>
      scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`,
    );
  };
}
