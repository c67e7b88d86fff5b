import type { Candidate } from '../balancer/strategy.js';
import type { ProviderConfig } from '../config/schema.js';
import { upstreamPrefix } from '../proxy/upstream-url.js';

/** The subset of `fetch` the gateway calls upstream with. `globalThis.fetch` fits. */
export type UpstreamFetch = (url: string, init: RequestInit) => Promise<Response>;

/** A provider at run time: its fixed settings, precomputed once, and its live counters. */
export interface Provider extends Candidate {
  readonly id: string;
  readonly weight: number;
  /** For display: the configured base URL (config refuses credentials in it). */
  readonly baseUrl: string;
  /** Prepended to the forwarded path: the base URL without a trailing `/v1`. */
  readonly prefix: string;
  /** `Bearer <token>`, or undefined for a provider without a token (a local vLLM, Ollama). */
  readonly authorization: string | undefined;
  readonly fetch: UpstreamFetch;
  /** Attempts sent, attempts failed, attempts whose body is still flowing, and time to response headers. */
  requests: number;
  errors: number;
  inFlight: number;
  latencyTotalMs: number;
  latencyCount: number;
}

/** What /stats shows of a provider: never its token. */
export interface ProviderStats {
  id: string;
  baseUrl: string;
  weight: number;
  requests: number;
  errors: number;
  inFlight: number;
  meanLatencyMs: number | null;
}

/**
 * Builds the run-time providers from configuration. `fetchFor` lets one provider (the built-in demo) answer
 * without a network.
 *
 * @example
 * const providers = createProviders({ providers: config.providers, fetchFor: () => fetch });
 */
export function createProviders(options: {
  providers: readonly ProviderConfig[];
  fetchFor: (provider: ProviderConfig) => UpstreamFetch;
}): Provider[] {
  return options.providers.map((provider) => ({
    id: provider.id,
    weight: provider.weight,
    baseUrl: provider.baseUrl,
    prefix: upstreamPrefix(provider.baseUrl),
    authorization: provider.token === undefined ? undefined : `Bearer ${provider.token}`,
    fetch: options.fetchFor(provider),
    requests: 0,
    errors: 0,
    inFlight: 0,
    latencyTotalMs: 0,
    latencyCount: 0,
  }));
}

/** A provider's counters as /stats shows them. */
export function providerStats(provider: Provider): ProviderStats {
  return {
    id: provider.id,
    baseUrl: provider.baseUrl,
    weight: provider.weight,
    requests: provider.requests,
    errors: provider.errors,
    inFlight: provider.inFlight,
    meanLatencyMs:
      provider.latencyCount === 0
        ? null
        : Math.round((provider.latencyTotalMs / provider.latencyCount) * 10) / 10,
  };
}
