import type { Balancer } from '../balancer/create-balancer.js';
import { GatewayError, UpstreamError } from '../errors/gateway-error.js';
import type { RequestRecord } from '../http/request-record.js';
import type { Provider } from '../providers/provider-pool.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { type BodyOutcome, observeBody } from './observe-body.js';
import { readBody } from './read-body.js';
import { forwardedTarget } from './upstream-url.js';

export interface ForwardOptions {
  providers: readonly Provider[];
  balancer: Balancer;
  now: () => number;
  maxBodyBytes: number;
  upstreamHeadersTimeoutMs: number;
  requestTimeoutMs: number;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

const STREAM_FAILURE_EVENT = new TextEncoder().encode(
  `data: ${JSON.stringify({
    error: {
      message: 'The upstream stream was interrupted before it completed.',
      type: 'api_error',
      param: null,
      code: 'upstream_stream_interrupted',
    },
  })}\n\n`,
);

/**
 * The `/v1/*` handler: reads the body (within the size limit), picks a provider, sends the request there with
 * the provider's token and returns its answer as it streams in, marked with `x-proxy-provider`.
 *
 * @example
 * const forward = createForward({ providers, balancer, now: Date.now, maxBodyBytes, upstreamHeadersTimeoutMs, requestTimeoutMs });
 * app.all('/v1/*', (c) => forward(c.req.raw, c.get('record')));
 */
export function createForward(options: ForwardOptions) {
  const { providers, balancer, now, maxBodyBytes, upstreamHeadersTimeoutMs, requestTimeoutMs } = options;

  return async function forward(request: Request, record: RequestRecord): Promise<Response> {
    const target = forwardedTarget(request.url);
    const body = await readBody(request, { maxBytes: maxBodyBytes });
    const provider = balancer.pick(providers);
    if (provider === undefined) {
      throw new UpstreamError('No provider is available.', { status: 503, code: 'no_provider_available' });
    }
    record.provider = provider.id;
    record.attempts += 1;

    const controller = new AbortController();
    let timedOut = false;
    const abortForClient = () => controller.abort(request.signal.reason);
    const headersTimer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, upstreamHeadersTimeoutMs);
    const totalTimer = setTimeout(
      () => {
        timedOut = true;
        controller.abort();
      },
      Math.max(0, requestTimeoutMs - (now() - record.start)),
    );
    request.signal.addEventListener('abort', abortForClient, { once: true });
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(headersTimer);
      clearTimeout(totalTimer);
      request.signal.removeEventListener('abort', abortForClient);
      provider.inFlight -= 1;
      if (failed) provider.errors += 1;
    };

    provider.requests += 1;
    provider.inFlight += 1;
    const sentAt = now();
    let upstream: Response;
    try {
      upstream = await provider.fetch(`${provider.prefix}${target}`, {
        method: request.method,
        headers: upstreamRequestHeaders(request.headers, provider.authorization),
        body,
        signal: controller.signal,
        redirect: 'manual',
      });
    } catch (cause) {
      const clientGone = request.signal.aborted;
      settle(!clientGone);
      if (clientGone) {
        throw new GatewayError('The client closed the request.', {
          status: 499,
          type: 'invalid_request_error',
          code: 'client_closed_request',
        });
      }
      if (timedOut) {
        throw new UpstreamError(`Provider "${provider.id}" did not answer in time.`, {
          status: 504,
          code: 'upstream_timeout',
          cause,
        });
      }
      throw new UpstreamError(`Provider "${provider.id}" could not be reached.`, {
        status: 502,
        code: 'upstream_unreachable',
        cause,
      });
    }
    clearTimeout(headersTimer);
    provider.latencyTotalMs += now() - sentAt;
    provider.latencyCount += 1;

    const status = upstream.status;
    if (status === 401 || status === 403) {
      // The provider refused the gateway's token: telling the client its own key is wrong would mislead it.
      settle(true);
      await upstream.body?.cancel().catch(() => {});
      throw new UpstreamError(
        `Provider "${provider.id}" refused the gateway's credentials (HTTP ${status}): check that provider's token.`,
        { status: 502, code: 'upstream_auth_failed' },
      );
    }
    const failed = status >= 500 || status === 429;
    const headers = clientResponseHeaders(upstream.headers);
    headers.set('x-proxy-provider', provider.id);
    headers.set('x-proxy-attempts', String(record.attempts));
    if (upstream.body === null || request.method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
      settle(failed);
      await upstream.body?.cancel().catch(() => {});
      return new Response(null, { status, headers });
    }
    const isEventStream = headers.get('content-type')?.startsWith('text/event-stream') ?? false;
    let resolveDone: (outcome: BodyOutcome) => void = () => {};
    record.done = new Promise<BodyOutcome>((resolve) => {
      resolveDone = resolve;
    });
    const observed = observeBody(upstream.body, {
      ...(isEventStream ? { failureEvent: STREAM_FAILURE_EVENT } : {}),
      onEnd(outcome) {
        // A body that fails because the client went away is the client's doing, not the provider's.
        const final = outcome === 'failed' && request.signal.aborted ? 'cancelled' : outcome;
        // Cancelling the body alone may leave the connection draining (workerd does): abort the request.
        if (final === 'cancelled') controller.abort();
        settle(failed || final === 'failed');
        resolveDone(final);
      },
    });
    return new Response(observed, { status, headers });
  };
}
