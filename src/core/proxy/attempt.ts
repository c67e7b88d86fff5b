import { concatBytes } from '../exchange/bytes.js';
import type { GatewayResponse } from '../exchange/exchange.js';
import type { HeaderMap } from '../exchange/header-map.js';
import type { BodyOutcome } from '../exchange/request-record.js';
import type { Provider } from '../providers/provider-pool.js';
import { UnsupportedEncodingError, type UpstreamResponse } from '../providers/transport.js';
import type { AttemptFailure } from '../resilience/attempt-failure.js';
import { beginAttempt, recordFailure, recordSuccess } from '../resilience/provider-health.js';
import type { RequestBudget } from '../resilience/request-budget.js';
import { retryAfterMs } from '../resilience/retry-after.js';
import { runtimeTimer, type StartTimer } from '../resilience/start-timer.js';
import type { StreamUsage } from '../usage/stream-usage.js';
import { isContextLengthError } from './context-length.js';
import type { StreamContinuation } from './continuation-hook.js';
import { awaitFirstEvent, relayEventStream } from './event-stream.js';
import { clientResponseHeaders } from './headers.js';
import { holdBody } from './hold-body.js';
import { observeBody } from './observe-body.js';

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export interface AttemptOptions {
  provider: Provider;
  url: string;
  method: string;
  headers: HeaderMap;
  body: Uint8Array<ArrayBuffer> | undefined;
  budget: RequestBudget;
  now: () => number;
  /** For the attempt's timeouts; defaults to the runtime's `setTimeout`. */
  startTimer?: StartTimer | undefined;
  backoff: (failures: number) => number;
  headersTimeoutMs: number;
  /** For event streams; the last attempt of a request passes the remaining budget instead. */
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  /** The most bytes of an event stream held before its first event (`MAX_FIRST_EVENT_BYTES`). */
  maxFirstEventBytes: number;
  /** JSON answers up to this size are read whole before anything is sent, so a cut one can be retried. */
  maxHeldBytes: number;
  /** The most bytes a compressed answer may decode to (`MAX_DECODED_BODY_BYTES`). */
  maxDecodedBytes: number;
  /** Whether a complete event stream ends with `data: [DONE]` (chat and text completions). */
  expectDone: boolean;
  /** Watches an event stream's usage (and cuts the usage chunk the gateway asked for); none for others. */
  streamUsage?: StreamUsage | undefined;
  /** Called once when the body of a successful answer has ended. */
  onBodyEnd: (outcome: BodyOutcome) => void;
  /** Set when a fallback model remains: a 400 `context_length_exceeded` is then a failure to move on from. */
  contextFallback?: boolean | undefined;
  /** Makes the continuation of an event stream cut after its first byte (see `continuation.ts`). */
  continuation?: StreamContinuation | undefined;
}

/**
 * A failed attempt; `answer` is the provider's own answer when it meant one (a context-length 400), to be
 * returned if nothing better comes of the fallbacks.
 */
export type AttemptResult =
  | { ok: true; answer: GatewayResponse }
  | { ok: false; failure: AttemptFailure; answer?: GatewayResponse };

/** Thrown when the client went away: nothing is left to answer. */
export class ClientGone extends Error {
  constructor() {
    super('The client closed the request.');
    this.name = 'ClientGone';
  }
}

/**
 * One try of one provider. Resolves with the response to send (a success, or a 4xx the provider meant,
 * passed through) or with why the attempt failed before any byte reached the client: then the caller may try
 * elsewhere. Event streams are held until their first event and JSON answers until complete, so that a
 * failure in either still counts as "before any byte". Keeps the provider's counters, backoff and breaker.
 */
export async function attemptUpstream(options: AttemptOptions): Promise<AttemptResult> {
  const { provider, budget, now } = options;
  const { controller, release } = budget.attemptController();
  const abort = () => controller.abort();
  let headersTimedOut = false;
  const startTimer = options.startTimer ?? runtimeTimer;
  const headersTimer = startTimer(Math.min(options.headersTimeoutMs, budget.remaining()), () => {
    headersTimedOut = true;
    abort();
  });
  const ticket = beginAttempt(provider);
  let settled = false;
  /** The attempt is over: its body ended, or it failed (then counted against the provider). */
  const settle = (failure?: AttemptFailure) => {
    if (settled) return;
    settled = true;
    headersTimer.cancel();
    release();
    provider.inFlight -= 1;
    if (failure !== undefined) {
      recordFailure(provider, failure, { now: now(), backoff: options.backoff, ticket });
      // A probe that failed without reopening the breaker (still open, or a 429) must not keep the slot.
      ticket.release();
    }
  };
  /** Ends the attempt as failed, unless the client is gone (then nothing is the provider's fault). */
  const fail = (failure: AttemptFailure): AttemptResult => {
    if (budget.ended() === 'client') {
      settle();
      ticket.release();
      throw new ClientGone();
    }
    settle(budget.ended() === 'deadline' ? { kind: 'deadline' } : failure);
    return { ok: false, failure: budget.ended() === 'deadline' ? { kind: 'deadline' } : failure };
  };

  const sentAt = now();
  let upstream: UpstreamResponse;
  try {
    upstream = await provider.transport(options.url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      signal: controller.signal,
      maxDecodedBytes: options.maxDecodedBytes,
    });
  } catch (error) {
    if (error instanceof UnsupportedEncodingError) return fail({ kind: 'unsupported_encoding' });
    return fail({ kind: headersTimedOut ? 'headers_timeout' : 'connect_error' });
  }
  headersTimer.cancel();
  provider.latencyTotalMs += now() - sentAt;
  provider.latencyCount += 1;

  const status = upstream.status;
  if (status === 401 || status === 403 || status === 429 || status >= 500) {
    await upstream.body?.cancel().catch(() => {});
    const kind = status === 429 ? 'rate_limited' : status >= 500 ? 'http_5xx' : 'auth_failed';
    const wait = retryAfterMs(upstream.headers.get('retry-after'), now());
    return fail({ kind, status, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
  }

  // A redirect points at the provider's or an internal host and is never followed (the token would go along):
  // a failed attempt, as is an interim 1xx that a runtime hands on as if it were the answer (workerd: 103).
  if (status < 200 || (status >= 300 && status < 400)) {
    await upstream.body?.cancel().catch(() => {});
    return fail({ kind: status < 200 ? 'interim_status' : 'redirect', status });
  }

  const headers = clientResponseHeaders(upstream.headers);
  headers.set('x-proxy-provider', provider.id);
  const succeed = (body: GatewayResponse['body'], onEnd?: 'now'): AttemptResult => {
    recordSuccess(provider);
    if (onEnd === 'now') {
      settle();
      options.onBodyEnd('complete');
    }
    return { ok: true, answer: { status, headers, body } };
  };
  const endBody = (outcome: BodyOutcome) => {
    settle(outcome === 'failed' && budget.ended() !== 'client' ? { kind: 'stream_interrupted' } : undefined);
    options.onBodyEnd(outcome === 'failed' && budget.ended() === 'client' ? 'cancelled' : outcome);
  };

  if (upstream.body === null || options.method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
    await upstream.body?.cancel().catch(() => {});
    return succeed(null, 'now');
  }
  const reader = upstream.body;
  const contentType = headers.get('content-type') ?? '';
  // Any body passed on as it comes is watched for upstream silence too (plain text, large JSON, files).
  const watched = { idleMs: options.idleTimeoutMs, now, abort, startTimer };
  const heldFailure = (reason: 'stalled' | 'failed' | 'too_large') =>
    fail({
      kind:
        reason === 'stalled' ? 'body_stalled' : reason === 'too_large' ? 'decoded_too_large' : 'body_failed',
    });

  if (status === 400 && options.contextFallback === true && contentType.includes('json')) {
    const held = await holdBody(reader, {
      maxBytes: options.maxHeldBytes,
      idleMs: options.idleTimeoutMs,
      now,
      abort,
      startTimer,
    });
    if (held.ok && held.complete) {
      headers.set('content-length', String(held.bytes.byteLength));
      if (!isContextLengthError(held.bytes)) return succeed(held.bytes, 'now');
      // The provider is healthy and meant it: the request, not the provider, is the problem.
      recordSuccess(provider);
      settle();
      return {
        ok: false,
        failure: { kind: 'context_length_exceeded', status },
        answer: { status, headers, body: held.bytes },
      };
    }
    if (!held.ok) return heldFailure(held.reason);
    return succeed(observeBody(reader, { prefix: concatBytes(held.held), onEnd: endBody, ...watched }));
  }

  if (contentType.startsWith('text/event-stream')) {
    const first = await awaitFirstEvent(reader, {
      deadlineMs: Math.min(options.firstTokenTimeoutMs, budget.remaining()),
      maxBytes: options.maxFirstEventBytes,
      abort,
      startTimer,
    });
    if (!first.ok) {
      return fail({
        kind:
          first.reason === 'timeout'
            ? 'first_token_timeout'
            : first.reason === 'ended'
              ? 'stream_ended_early'
              : first.reason === 'too_large'
                ? 'first_event_too_large'
                : 'body_failed',
      });
    }
    headers.delete('content-length');
    return succeed(
      relayEventStream({
        held: first.held,
        reader,
        abort,
        idleMs: options.idleTimeoutMs,
        now,
        startTimer,
        expectDone: options.expectDone,
        failureCode: () => (budget.ended() === 'deadline' ? 'upstream_timeout' : undefined),
        onEnd: endBody,
        usage: options.streamUsage,
        ...(options.continuation === undefined
          ? {}
          : {
              continuation: options.continuation,
              // The provider failed; the request goes on elsewhere and ends with the continuation's body.
              onUpstreamFailed: (stalled: boolean) =>
                settle({ kind: stalled ? 'body_stalled' : 'stream_interrupted' }),
            }),
      }),
    );
  }

  if (contentType.includes('json')) {
    const held = await holdBody(reader, {
      maxBytes: options.maxHeldBytes,
      idleMs: options.idleTimeoutMs,
      now,
      abort,
      startTimer,
    });
    if (!held.ok) return heldFailure(held.reason);
    if (held.complete) {
      headers.set('content-length', String(held.bytes.byteLength));
      return succeed(held.bytes, 'now');
    }
    return succeed(observeBody(reader, { prefix: concatBytes(held.held), onEnd: endBody, ...watched }));
  }

  return succeed(observeBody(reader, { onEnd: endBody, ...watched }));
}
