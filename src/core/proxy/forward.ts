import type { Balancer } from '../balancer/create-balancer.js';
import type { Random } from '../balancer/strategy.js';
import { ClientClosedError, InvalidRequestError } from '../errors/gateway-error.js';
import type { GatewayRequest, GatewayResponse } from '../exchange/exchange.js';
import { headerValue } from '../exchange/header-value.js';
import type { BodyOutcome, RequestRecord } from '../exchange/request-record.js';
import { type Provider, upstreamUrl } from '../providers/provider-pool.js';
import { type AttemptFailure, allAttemptsFailed } from '../resilience/attempt-failure.js';
import { createBackoff } from '../resilience/backoff.js';
import { createRequestBudget } from '../resilience/request-budget.js';
import { selectProvider } from '../resilience/select-provider.js';
import type { StartTimer } from '../resilience/start-timer.js';
import { NO_MODEL as NO_BODY_MODEL } from '../routing/body-model.js';
import { scanJsonModel } from '../routing/json-model.js';
import { type RequestModel, readRequestModel, withModel } from '../routing/request-model.js';
import { noteAnswer, noteStreamEnd } from '../usage/record-usage.js';
import { planRequestUsage } from '../usage/request-usage.js';
import { StreamUsage } from '../usage/stream-usage.js';
import { type AttemptOptions, attemptUpstream, ClientGone } from './attempt.js';
import { createContinuation } from './continuation.js';
import type { StreamContinuation } from './continuation-hook.js';
import { continuationTries } from './continuation-tries.js';
import { failoverPlan, movesOn } from './failover-plan.js';
import { upstreamRequestHeaders } from './headers.js';
import { readBody } from './read-body.js';
import { forwardedTarget } from './upstream-url.js';

/** The longest a request waits, inside its budget, for a provider's Retry-After or backoff to pass. */
const MAX_WAIT_MS = 10_000;
/** Chat and text completions streams end with `data: [DONE]`; others (the Responses API) do not. */
const ENDS_WITH_DONE = /^\/v1\/(?:chat\/)?completions(?:\?|$)/;
/** Chat completions: the streams a prefill can continue. */
const CHAT = /^\/v1\/chat\/completions(?:\?|$)/;
/** The chain of a request that names no model: one pass over the providers. */
const NO_MODEL: readonly undefined[] = [undefined];

export interface ForwardOptions {
  providers: readonly Provider[];
  balancer: Balancer;
  now: () => number;
  /** For the request's timeouts; defaults to the runtime's `setTimeout`. */
  startTimer?: StartTimer | undefined;
  random: Random;
  maxBodyBytes: number;
  maxAttempts: number;
  upstreamHeadersTimeoutMs: number;
  firstTokenTimeoutMs: number;
  streamIdleTimeoutMs: number;
  requestTimeoutMs: number;
  /** The longest wait for the next chunk of a request body (408 past it, as past the request's deadline). */
  clientBodyTimeoutMs: number;
  maxFirstEventBytes: number;
  maxHeldBodyBytes: number;
  maxDecodedBodyBytes: number;
  /** Per model, the models to try in order when every provider of the model failed. */
  modelFallbacks: Readonly<Record<string, readonly string[]>>;
}

/** The providers that serve `model`: those whose list matches it, and those without a list. */
function serving(providers: readonly Provider[], model: string): readonly Provider[] {
  return providers.filter((provider) => provider.serves === undefined || provider.serves(model));
}

/**
 * The model a request names, for routing; a 400 when the body cannot be read unambiguously (the provider must
 * never get a model the gateway did not route).
 */
function modelOf(request: GatewayRequest, body: Uint8Array | undefined): RequestModel {
  const found = readRequestModel(
    {
      contentType: request.headers.get('content-type'),
      contentEncoding: request.headers.get('content-encoding'),
    },
    body,
  );
  if (found.kind === 'refused')
    throw new InvalidRequestError(found.reason, { status: 400, code: found.code });
  return found;
}

function modelNotFound(model: string): InvalidRequestError {
  return new InvalidRequestError(
    `The model ${JSON.stringify(model.slice(0, 200))} is not served by any provider of this gateway.`,
    { status: 404, code: 'model_not_found' },
  );
}

/**
 * The `/v1/*` handler: reads the body (within the size limit), then tries providers, chosen by the strategy
 * and their health, until one answers or the attempts, the budget or the client run out. Failures before the
 * first byte reaches the client move on to another provider; the answer names who served it
 * (`x-proxy-provider`) and how many attempts it took (`x-proxy-attempts`).
 *
 * @example
 * const forward = createForward({ providers, balancer, now: Date.now, random: Math.random, ...timeouts });
 * const answer = await forward(fromWebRequest(request), record); // status, headers, body
 */
export function createForward(options: ForwardOptions) {
  const { providers, balancer, now, maxAttempts } = options;
  const backoff = createBackoff({ baseMs: 200, maxMs: 10_000, random: options.random });
  // Only a configuration that names models pays for reading the model out of request bodies.
  const routing =
    providers.some((provider) => provider.serves !== undefined || provider.aliases !== undefined) ||
    Object.keys(options.modelFallbacks).length > 0;
  const unrouted = failoverPlan([providers]);
  // Only a configuration with a provider that accepts a prefill pays for keeping a stream's delivered events.
  const continues = providers.some((provider) => provider.continuation);

  return async function forward(request: GatewayRequest, record: RequestRecord): Promise<GatewayResponse> {
    const target = forwardedTarget(request.url);
    const body = await readBody(request, {
      maxBytes: options.maxBodyBytes,
      timeouts: {
        idleMs: options.clientBodyTimeoutMs,
        deadline: record.start + options.requestTimeoutMs,
        now,
        startTimer: options.startTimer,
      },
    });
    const found = routing ? modelOf(request, body) : NO_BODY_MODEL;
    const model = found.kind === 'model' ? found.model : undefined;
    // What accounting needs of the body, read on its bytes; for a chat stream, usage asked for if need be.
    const usagePlan =
      body === undefined ? undefined : planRequestUsage(target, request.headers.get('content-type'), body);
    const requested = model ?? usagePlan?.model;
    if (requested !== undefined) record.model = requested;
    const sendBody = usagePlan?.body ?? body;
    /** The usage watch of the attempt whose stream is being delivered (a continuation's, once it took over). */
    let watching: StreamUsage | undefined;
    // Own keys only: a model named "constructor" must not find Object's.
    const fallbacks =
      model !== undefined && Object.hasOwn(options.modelFallbacks, model)
        ? options.modelFallbacks[model]
        : undefined;
    const chain: readonly (string | undefined)[] =
      model === undefined ? NO_MODEL : fallbacks === undefined ? [model] : [model, ...fallbacks];
    const plan =
      model === undefined ? unrouted : failoverPlan(chain.map((name) => serving(providers, name as string)));
    // A model no provider serves is still served when its fallback chain leads somewhere; else 404.
    if (model !== undefined && plan.pools.every((pool) => pool.length === 0)) throw modelNotFound(model);
    const budget = createRequestBudget({
      deadline: record.start + options.requestTimeoutMs,
      now,
      clientSignal: request.signal,
      startTimer: options.startTimer,
    });
    const expectDone = ENDS_WITH_DONE.test(target);
    const continuable = continues && CHAT.test(target) && body !== undefined;
    const failures: { provider: string; failure: AttemptFailure }[] = [];
    let blocked: { provider: string; waitMs: number } | undefined;
    /** A context-length 400: returned as it is if no fallback model answers. */
    let meant: GatewayResponse | undefined;
    let answered = false;
    let attempt = 0;
    let resolveDone: ((outcome: BodyOutcome) => void) | undefined;
    let ended: BodyOutcome | undefined;
    const onBodyEnd = (outcome: BodyOutcome) => {
      budget.dispose();
      if (watching !== undefined) noteStreamEnd(record, watching, body?.byteLength ?? 0);
      if (resolveDone === undefined) ended = outcome;
      else resolveDone(outcome);
    };
    /** The body to send `provider` for `chainModel`: with the provider's own name for it, when it has one. */
    const bodyFor = (provider: Provider, chainModel: string | undefined, base = sendBody) => {
      const upstreamModel =
        chainModel === undefined
          ? undefined
          : provider.aliases !== undefined && Object.hasOwn(provider.aliases, chainModel)
            ? (provider.aliases[chainModel] as string)
            : chainModel;
      if (upstreamModel === undefined || upstreamModel === model || base === undefined) return base;
      // A continuation's prefilled body is JSON the gateway wrote itself: its model is found anew.
      const located: RequestModel = base === body ? found : { ...scanJsonModel(base), json: true };
      return located.kind === 'model' ? withModel(base, located, upstreamModel) : base;
    };
    const send = (provider: Provider, sent: Uint8Array<ArrayBuffer> | undefined, extra: ExtraOptions) => {
      attempt += 1;
      record.provider = provider.id;
      record.attempts = attempt;
      const streamUsage =
        usagePlan === undefined ? undefined : new StreamUsage({ removeUsageChunk: usagePlan.injected });
      watching = streamUsage;
      return attemptUpstream({
        provider,
        url: upstreamUrl(provider, target),
        method: request.method,
        headers: upstreamRequestHeaders(request.headers, provider.setHeaders),
        body: sent,
        budget,
        now,
        startTimer: options.startTimer,
        backoff,
        headersTimeoutMs: options.upstreamHeadersTimeoutMs,
        idleTimeoutMs: options.streamIdleTimeoutMs,
        maxFirstEventBytes: options.maxFirstEventBytes,
        maxHeldBytes: options.maxHeldBodyBytes,
        maxDecodedBytes: options.maxDecodedBodyBytes,
        expectDone,
        onBodyEnd,
        streamUsage,
        ...extra,
      });
    };
    /** Where a stream cut after its first byte may go on: the untried prefill providers, this model's first. */
    const continuationFor = (index: number, tried: ReadonlySet<Provider>): StreamContinuation =>
      createContinuation({
        body: body as Uint8Array,
        maxBytes: options.maxHeldBodyBytes,
        onContinued: () => {
          record.continued = true;
        },
        tries: () =>
          continuationTries({
            chain,
            pools: plan.pools,
            from: index,
            tried,
            now,
            ended: () => budget.ended() !== undefined,
            attempt: ({ provider, chainModel, prefilled, last, onBodyEnd: onEnd }) =>
              send(provider, bodyFor(provider, chainModel, prefilled), {
                firstTokenTimeoutMs: last ? budget.remaining() : options.firstTokenTimeoutMs,
                onBodyEnd: onEnd,
              }),
            onBodyEnd,
            onFailure: (provider, failure) => failures.push({ provider: provider.id, failure }),
          }),
      });
    try {
      for (let index = 0; index < chain.length; index++) {
        const chainModel = chain[index];
        const candidates = plan.pools[index] as readonly Provider[];
        if (candidates.length === 0) continue;
        const later = plan.hasLater(index);
        const tried = new Set<Provider>();
        /** Providers that went silent or cut their answer: not asked again while anything else remains. */
        let excluded: Set<Provider> | undefined;
        for (let tries = 1; tries <= maxAttempts && budget.ended() === undefined; tries++) {
          const pool =
            excluded === undefined ? candidates : candidates.filter((provider) => !excluded?.has(provider));
          if (pool.length === 0) break;
          // A same-provider retry only when nothing else is left: a fallback model goes first.
          if (later && pool.every((provider) => tried.has(provider))) break;
          const selection = selectProvider({ providers: pool, tried, balancer, now: now() });
          if (selection === undefined) break;
          const { provider, waitMs } = selection;
          // Backoff, Retry-After or an open breaker: skipped while a fallback model can serve at once.
          if ((waitMs > 0 || !provider.breaker.canAttempt()) && plan.laterReady(index, now())) break;
          if (waitMs > 0) {
            if (waitMs > Math.min(MAX_WAIT_MS, budget.remaining())) {
              blocked = { provider: provider.id, waitMs };
              break;
            }
            await budget.sleep(waitMs);
            if (budget.ended() !== undefined) break;
          }
          tried.add(provider);
          // The first-token deadline cuts only while somewhere else remains to go; the last is waited on.
          const alternative = later || pool.some((other) => !tried.has(other));
          const result = await send(provider, bodyFor(provider, chainModel), {
            firstTokenTimeoutMs: alternative ? options.firstTokenTimeoutMs : budget.remaining(),
            contextFallback: later,
            continuation: continuable ? continuationFor(index, tried) : undefined,
          });
          if (result.ok) {
            answered = true;
            record.firstByteAt = now();
            const served = chainModel ?? requested;
            if (served !== undefined) record.servedModel = served;
            noteAnswer(record, result.answer);
            if (ended !== undefined) record.outcome = ended;
            else {
              record.done = new Promise<BodyOutcome>((resolve) => {
                resolveDone = resolve;
              });
            }
            result.answer.headers.set('x-proxy-attempts', String(attempt));
            // The model is the client's text: encoded (or left out) so that no runtime refuses the header.
            const modelHeader = chainModel === undefined ? undefined : headerValue(chainModel);
            if (modelHeader !== undefined) result.answer.headers.set('x-proxy-model', modelHeader);
            return result.answer;
          }
          failures.push({ provider: provider.id, failure: result.failure });
          if (result.failure.kind === 'context_length_exceeded') {
            // Every provider of this model has the same window: on to the next model.
            meant ??= result.answer;
            break;
          }
          if (movesOn(result.failure.kind) && (later || candidates.length > 1)) {
            excluded ??= new Set();
            excluded.add(provider);
          }
        }
        if (budget.ended() !== undefined) break;
      }
    } catch (error) {
      if (error instanceof ClientGone) throw new ClientClosedError();
      throw error;
    } finally {
      if (!answered) budget.dispose();
    }
    if (budget.ended() === 'client') throw new ClientClosedError();
    if (meant !== undefined) {
      meant.headers.set('x-proxy-attempts', String(attempt));
      return meant;
    }
    if (budget.ended() === 'deadline' && failures.at(-1)?.failure.kind !== 'deadline' && record.provider) {
      failures.push({ provider: record.provider, failure: { kind: 'deadline' } });
    }
    const at = now();
    throw allAttemptsFailed({
      failures,
      attempts: record.attempts,
      ...(blocked === undefined ? {} : { blocked }),
      ...(budget.ended() === undefined && plan.allRateLimited(at)
        ? { rateLimited: { waitMs: plan.soonestFree(at) } }
        : {}),
    });
  };
}

/** The options of one attempt that differ between a first try and a continuation. */
type ExtraOptions = Pick<AttemptOptions, 'firstTokenTimeoutMs'> &
  Partial<Pick<AttemptOptions, 'contextFallback' | 'continuation' | 'onBodyEnd'>>;
