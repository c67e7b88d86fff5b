import type { BodySource } from '../exchange/exchange.js';
import type { BodyOutcome } from '../exchange/request-record.js';
import type { Provider } from '../providers/provider-pool.js';
import type { AttemptFailure } from '../resilience/attempt-failure.js';
import type { AttemptResult } from './attempt.js';
import type { ContinuationTry } from './continuation.js';
import { readyNow } from './failover-plan.js';

/**
 * The candidates that may continue a cut stream, in order: from the model that was being served (`from`) on
 * down the fallback chain, the providers with `"continuation": "prefill"` not tried yet and ready now. Each try
 * sends the prefilled request and takes only a 200 event stream: a refusal (a 400 about the last message) or
 * a failure is skipped, never shown to the client. Only the stream taken reports how the request ended.
 *
 * @example
 * createContinuation({ body, tries: () => continuationTries({ chain, pools, from: 0, tried, ... }) });
 */
export function continuationTries(options: {
  chain: readonly (string | undefined)[];
  pools: readonly (readonly Provider[])[];
  from: number;
  tried: ReadonlySet<Provider>;
  now: () => number;
  /** Whether the request's budget has ended (deadline or client gone). */
  ended: () => boolean;
  /** Sends one attempt; `last` is whether it is the last candidate (waited on for its first event). */
  attempt: (options: {
    provider: Provider;
    chainModel: string | undefined;
    prefilled: Uint8Array<ArrayBuffer>;
    last: boolean;
    onBodyEnd: (outcome: BodyOutcome) => void;
  }) => Promise<AttemptResult>;
  /** How the request ended: called by the stream taken only. */
  onBodyEnd: (outcome: BodyOutcome) => void;
  onFailure: (provider: Provider, failure: AttemptFailure) => void;
}): ContinuationTry[] {
  const candidates: { provider: Provider; chainModel: string | undefined }[] = [];
  for (let i = options.from; i < options.chain.length; i++) {
    for (const provider of options.pools[i] ?? []) {
      if (provider.continuation && !options.tried.has(provider) && readyNow(provider, options.now()))
        candidates.push({ provider, chainModel: options.chain[i] });
    }
  }
  return candidates.map(({ provider, chainModel }, position) => async (prefilled) => {
    if (options.ended()) return undefined;
    let taken = false;
    let result: AttemptResult;
    try {
      result = await options.attempt({
        provider,
        chainModel,
        prefilled: prefilled(),
        last: position === candidates.length - 1,
        onBodyEnd: (outcome) => {
          if (taken) options.onBodyEnd(outcome);
        },
      });
    } catch {
      // The client went away (ClientGone): nothing is left to continue.
      return undefined;
    }
    if (!result.ok) {
      options.onFailure(provider, result.failure);
      return undefined;
    }
    const { answer } = result;
    const body: BodySource | undefined =
      answer.body === null || answer.body instanceof Uint8Array ? undefined : answer.body;
    const stream =
      answer.status === 200 && (answer.headers.get('content-type') ?? '').startsWith('text/event-stream');
    if (!stream || body === undefined) {
      await body?.cancel();
      return undefined;
    }
    provider.continued += 1;
    taken = true;
    return body;
  });
}
