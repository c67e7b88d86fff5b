import type { Balancer } from '../balancer/create-balancer.js';
import type { Random } from '../balancer/strategy.js';
import { ClientClosedError, InvalidRequestError } from '../errors/gateway-error.js';
import type { GatewayRequest, GatewayResponse } from '../exchange/exchange.js';
import type { BodyOutcome, RequestRecord } from '../exchange/request-record.js';
import { type Provider, upstreamUrl } from '../providers/provider-pool.js';
import { type AttemptFailure, allAttemptsFailed } from '../resilience/attempt-failure.js';
import { createBackoff } from '../resilience/backoff.js';
import { createRequestBudget } from '../resilience/request-budget.js';
import { selectProvider } from '../resilience/select-provider.js';
import type { StartTimer } from '../resilience/start-timer.js';
import { requestModel, withModel } from '../routing/request-model.js';
import { attemptUpstream, ClientGone } from './attempt.js';
import { upstreamRequestHeaders } from './headers.js';
import { readBody } from './read-body.js';
import { forwardedTarget } from './upstream-url.js';

/** The longest a request waits, inside its budget, for a provider's Retry-After or backoff to pass. */
const MAX_WAIT_MS = 10_000;
/** Chat and text completions streams end with `data: [DONE]`; others (the Responses API) do not. */
const ENDS_WITH_DONE = /^\/v1\/(?:chat\/)?completions(?:\?|$)/;
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

/** The providers that serve `model` (all of them when the request names none); 404 when none does. */
function providersFor(providers: readonly Provider[], model: string | undefined): readonly Provider[] {
  if (model === undefined) return providers;
  const found = serving(providers, model);
  if (found.length > 0) return found;
  throw new InvalidRequestError(
    `The model ${JSON.stringify(model.slice(0, 200))} is not served by any provider of this gateway.`,
    {
      status: 404,
      code: 'model_not_found',
    },
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
    const contentType = request.headers.get('content-type');
    const model = routing ? requestModel(contentType, body) : undefined;
    // The requested model must exist (404 otherwise); its fallbacks are for when its providers all failed.
    const served = providersFor(providers, model);
    // Own keys only: a model named "constructor" must not find Object's.
    const fallbacks =
      model !== undefined && Object.hasOwn(options.modelFallbacks, model)
        ? options.modelFallbacks[model]
        : undefined;
    const chain: readonly (string | undefined)[] =
      model === undefined ? NO_MODEL : fallbacks === undefined ? [model] : [model, ...fallbacks];
    const budget = createRequestBudget({
      deadline: record.start + options.requestTimeoutMs,
      now,
      clientSignal: request.signal,
      startTimer: options.startTimer,
    });
    const expectDone = ENDS_WITH_DONE.test(target);
    const failures: { provider: string; failure: AttemptFailure }[] = [];
    let blocked: { provider: string; waitMs: number } | undefined;
    let answered = false;
    let attempt = 0;
    try {
      for (let index = 0; index < chain.length; index++) {
        const chainModel = chain[index];
        const candidates = index === 0 ? served : serving(providers, chainModel as string);
        const lastModel = index === chain.length - 1;
        const tried = new Set<Provider>();
        for (let tries = 1; tries <= maxAttempts && budget.ended() === undefined; tries++) {
          const selection = selectProvider({ providers: candidates, tried, balancer, now: now() });
          if (selection === undefined) break;
          const { provider, waitMs } = selection;
          if (waitMs > 0) {
            if (waitMs > Math.min(MAX_WAIT_MS, budget.remaining())) {
              blocked = { provider: provider.id, waitMs };
              break;
            }
            await budget.sleep(waitMs);
            if (budget.ended() !== undefined) break;
          }
          tried.add(provider);
          attempt += 1;
          record.provider = provider.id;
          record.attempts = attempt;
          // The provider's own name for the model, when it has one (an alias) or the model is a fallback.
          const upstreamModel =
            chainModel === undefined
              ? undefined
              : provider.aliases !== undefined && Object.hasOwn(provider.aliases, chainModel)
                ? (provider.aliases[chainModel] as string)
                : chainModel;
          const sent =
            upstreamModel !== undefined && upstreamModel !== model && body !== undefined
              ? withModel(contentType, body, upstreamModel)
              : body;
          // How the answer's body ended: known at once for an answer read whole, later for a stream.
          let ended: BodyOutcome | undefined;
          let resolveDone: ((outcome: BodyOutcome) => void) | undefined;
          const result = await attemptUpstream({
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
            // The last attempt is waited on for as long as the budget allows.
            firstTokenTimeoutMs:
              lastModel && tries === maxAttempts ? budget.remaining() : options.firstTokenTimeoutMs,
            idleTimeoutMs: options.streamIdleTimeoutMs,
            maxFirstEventBytes: options.maxFirstEventBytes,
            maxHeldBytes: options.maxHeldBodyBytes,
            maxDecodedBytes: options.maxDecodedBodyBytes,
            expectDone,
            onBodyEnd(outcome) {
              budget.dispose();
              if (resolveDone === undefined) ended = outcome;
              else resolveDone(outcome);
            },
          });
          if (result.ok) {
            answered = true;
            if (ended !== undefined) record.outcome = ended;
            else {
              record.done = new Promise<BodyOutcome>((resolve) => {
                resolveDone = resolve;
              });
            }
            result.answer.headers.set('x-proxy-attempts', String(attempt));
            if (chainModel !== undefined) result.answer.headers.set('x-proxy-model', chainModel);
            return result.answer;
          }
          failures.push({ provider: provider.id, failure: result.failure });
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
    if (budget.ended() === 'deadline' && failures.at(-1)?.failure.kind !== 'deadline' && record.provider) {
      failures.push({ provider: record.provider, failure: { kind: 'deadline' } });
    }
    throw allAttemptsFailed({
      failures,
      attempts: record.attempts,
      ...(blocked === undefined ? {} : { blocked }),
    });
  };
}
