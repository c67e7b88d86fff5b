import { UpstreamError } from '../errors/gateway-error.js';

/** Why one upstream attempt failed. Classes only: never a message or a body from upstream. */
export type FailureKind =
  | 'connect_error'
  | 'headers_timeout'
  | 'first_token_timeout'
  | 'deadline'
  | 'auth_failed'
  | 'rate_limited'
  | 'http_5xx'
  | 'redirect'
  | 'interim_status'
  | 'body_failed'
  | 'body_stalled'
  | 'stream_ended_early'
  | 'stream_interrupted'
  | 'first_event_too_large'
  | 'decoded_too_large'
  | 'unsupported_encoding'
  | 'context_length_exceeded';

export interface AttemptFailure {
  kind: FailureKind;
  /** The upstream status, when there was one. */
  status?: number;
  /** What the provider asked for with Retry-After. */
  retryAfterMs?: number;
}

const TIMEOUTS: ReadonlySet<FailureKind> = new Set([
  'headers_timeout',
  'first_token_timeout',
  'deadline',
  'body_stalled',
]);

/** How a failure is named in /stats (`lastError`) and logs: `http_503`, `connect_error`, ... */
export function failureClass(failure: AttemptFailure): string {
  return failure.kind === 'http_5xx' ? `http_${failure.status}` : failure.kind;
}

function describe(failure: AttemptFailure): string {
  switch (failure.kind) {
    case 'connect_error':
      return 'could not be reached';
    case 'headers_timeout':
      return 'sent no response headers in time (UPSTREAM_HEADERS_TIMEOUT_MS)';
    case 'first_token_timeout':
      return 'sent no first event in time (FIRST_TOKEN_TIMEOUT_MS)';
    case 'deadline':
      return 'was still working when the request budget ran out (REQUEST_TIMEOUT_MS)';
    case 'auth_failed':
      return `refused the gateway's credentials (HTTP ${failure.status}): check its token`;
    case 'rate_limited':
      return 'was rate limited (HTTP 429)';
    case 'http_5xx':
      return `failed (HTTP ${failure.status})`;
    case 'redirect':
      return `answered with a redirect (HTTP ${failure.status}), which is never followed or passed on: check its base URL`;
    case 'interim_status':
      return `answered with an interim status (HTTP ${failure.status}) and nothing the runtime could read after it`;
    case 'body_failed':
      return 'cut its answer short';
    case 'body_stalled':
      return 'went silent in the middle of its answer (STREAM_IDLE_TIMEOUT_MS)';
    case 'stream_ended_early':
      return 'ended its stream before the first event';
    case 'stream_interrupted':
      return 'broke off its stream';
    case 'first_event_too_large':
      return 'sent more than MAX_FIRST_EVENT_BYTES before the first event of its stream';
    case 'decoded_too_large':
      return 'sent a compressed answer that decodes past MAX_DECODED_BODY_BYTES';
    case 'unsupported_encoding':
      return 'sent an answer in a content encoding the gateway cannot decode';
    case 'context_length_exceeded':
      return 'found the request longer than its context window (HTTP 400 context_length_exceeded)';
  }
}

/**
 * The one error for a request no provider could answer: 429 when every provider is rate limited (with the
 * soonest time one frees up as Retry-After), 504 when time ran out (every attempt timed out, or the budget
 * ended), 503 when no provider could even be tried, else 502. It names each provider tried and why, and
 * carries a Retry-After when providers asked to be left alone.
 *
 * @example
 * throw allAttemptsFailed({ failures: [{ provider: 'a', failure: { kind: 'http_5xx', status: 503 } }], attempts: 1 });
 */
export function allAttemptsFailed(options: {
  failures: readonly { provider: string; failure: AttemptFailure }[];
  attempts: number;
  /** Set when the next possible attempt was too far off to wait for. */
  blocked?: { provider: string; waitMs: number };
  /** Set when every provider that could serve the request is rate limited: how soon the first frees up. */
  rateLimited?: { waitMs: number };
}): UpstreamError {
  const { failures, attempts, blocked, rateLimited } = options;
  const headers: Record<string, string> = { 'x-proxy-attempts': String(attempts) };
  if (blocked !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(blocked.waitMs / 1000)));
  if (rateLimited !== undefined) {
    const seconds = Math.max(1, Math.ceil(rateLimited.waitMs / 1000));
    headers['retry-after'] = String(seconds);
    const tried =
      failures.length === 0 ? '' : ` (${[...new Set(failures.map((f) => `"${f.provider}"`))].join(', ')})`;
    return new UpstreamError(
      `Every provider of this request is rate limited${tried}: retry after ${seconds} s.`,
      { status: 429, code: 'rate_limit_exceeded', headers },
    );
  }
  if (failures.length === 0) {
    const wait =
      blocked === undefined ? '' : `: "${blocked.provider}" asked to wait ${headers['retry-after']} s`;
    return new UpstreamError(`No provider is available${wait}.`, {
      status: 503,
      code: 'no_provider_available',
      headers,
    });
  }
  const reasons = failures.map(({ provider, failure }) => `"${provider}" ${describe(failure)}`).join('; ');
  const kinds = new Set(failures.map(({ failure }) => failure.kind));
  const timedOut = [...kinds].every((kind) => TIMEOUTS.has(kind));
  const only = kinds.size === 1 ? [...kinds][0] : undefined;
  const code = timedOut
    ? 'upstream_timeout'
    : only === 'connect_error'
      ? 'upstream_unreachable'
      : only === 'auth_failed'
        ? 'upstream_auth_failed'
        : 'upstream_failed';
  const suffix =
    blocked === undefined
      ? ''
      : ` No retry now: "${blocked.provider}" asked to wait ${headers['retry-after']} s.`;
  return new UpstreamError(
    `${failures.length === 1 ? 'The attempt' : `All ${failures.length} attempts`} failed: ${reasons}.${suffix}`,
    { status: timedOut ? 504 : 502, code, headers },
  );
}
