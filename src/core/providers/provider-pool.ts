import type { Candidate } from '../balancer/strategy.js';
import type { ProviderConfig } from '../config/schema.js';
import { upstreamPrefix } from '../proxy/upstream-url.js';
import {
  type BreakerOptions,
  type BreakerState,
  type CircuitBreaker,
  createCircuitBreaker,
} from '../resilience/circuit-breaker.js';
import { type ModelMatcher, modelMatcher } from '../routing/model-matcher.js';
import type { UpstreamTransport } from './transport.js';

/** A provider at run time: its fixed settings, precomputed once, and its live counters. */
export interface Provider extends Candidate {
  readonly id: string;
  readonly weight: number;
  /** For display: the configured base URL (config refuses credentials in it). */
  readonly baseUrl: string;
  /** Prepended to the forwarded path: the base URL without a trailing `/v1`. */
  readonly prefix: string;
  /**
   * Set on every request to it: the token as its `auth` sends it (none for a provider without a token: a local
   * vLLM, Ollama), then its configured `headers`. Names lowercase.
   */
  readonly setHeaders: readonly (readonly [string, string])[];
  /** Its `query` parameters, encoded (`api-version=2024-10-21`), or '' for none. */
  readonly query: string;
  readonly transport: UpstreamTransport;
  /** The models it lists in the configuration (undefined: it serves any model). */
  readonly models: readonly string[] | undefined;
  /** Whether it serves a model; undefined when it serves any. */
  readonly serves: ModelMatcher;
  /** Client-facing model names it knows under its own names. */
  readonly aliases: Readonly<Record<string, string>> | undefined;
  /** Whether a cut chat stream may be continued here with an assistant prefill (`"continuation": "prefill"`). */
  readonly continuation: boolean;
  readonly breaker: CircuitBreaker;
  /** No attempt before this time (epoch ms): set by Retry-After, or by backoff after a failure. */
  notBefore: number;
  /** Failures in a row, 429s included (the breaker leaves those to Retry-After): drives the backoff. */
  failureStreak: number;
  /** The class of the last failure (`connect_error`, `http_503`, ...), never a message or a body. */
  lastError: string | null;
  /** Attempts sent, attempts failed, attempts whose body is still flowing, and time to response headers. */
  requests: number;
  errors: number;
  inFlight: number;
  latencyTotalMs: number;
  latencyCount: number;
  /** Streams cut elsewhere that this provider took over and continued. */
  continued: number;
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
  breaker: BreakerState;
  consecutiveFailures: number;
  /** ISO time when an open breaker lets a probe through. */
  cooldownUntil: string | null;
  /** ISO time before which Retry-After or backoff keeps the provider out. */
  retryAfterUntil: string | null;
  lastError: string | null;
  /** Streams cut on another provider that this one continued. */
  continued: number;
}

/**
 * Builds the run-time providers from configuration. `transportFor` lets one provider (the built-in demo) answer
 * without a network.
 *
 * @example
 * const providers = createProviders({ providers: config.providers, transportFor: () => transport, breaker });
 */
export function createProviders(options: {
  providers: readonly ProviderConfig[];
  transportFor: (provider: ProviderConfig) => UpstreamTransport;
  breaker: BreakerOptions;
}): Provider[] {
  return options.providers.map((provider) => ({
    id: provider.id,
    weight: provider.weight,
    baseUrl: provider.baseUrl,
    prefix: upstreamPrefix(provider.baseUrl),
    setHeaders: setHeadersOf(provider),
    query: provider.query === undefined ? '' : new URLSearchParams(provider.query).toString(),
    transport: options.transportFor(provider),
    models: provider.models,
    serves: servesWithAliases(modelMatcher(provider.models), provider.aliases),
    aliases: provider.aliases,
    continuation: provider.continuation === 'prefill',
    breaker: createCircuitBreaker(options.breaker),
    notBefore: 0,
    failureStreak: 0,
    lastError: null,
    requests: 0,
    errors: 0,
    inFlight: 0,
    latencyTotalMs: 0,
    latencyCount: 0,
    continued: 0,
  }));
}

/** The headers a provider sets on every request: its credentials, as its `auth` says, and its own. */
function setHeadersOf(provider: ProviderConfig): [string, string][] {
  const headers: [string, string][] = [];
  const { auth } = provider;
  if (provider.token !== undefined && auth !== 'none') {
    headers.push(
      auth === 'api-key' ? ['api-key', provider.token] : ['authorization', `Bearer ${provider.token}`],
    );
  }
  if (provider.headers !== undefined) headers.push(...Object.entries(provider.headers));
  return headers;
}

/**
 * A provider's upstream URL for a forwarded path and query (`target`): its prefix, the target, and its own
 * query parameters after the client's.
 *
 * @example
 * upstreamUrl(provider, '/v1/chat/completions'); // 'https://res.openai.azure.com/openai/v1/chat/completions?api-version=preview'
 */
export function upstreamUrl(provider: Provider, target: string): string {
  if (provider.query === '') return `${provider.prefix}${target}`;
  return `${provider.prefix}${target}${target.includes('?') ? '&' : '?'}${provider.query}`;
}

/** A provider also serves the client-facing names of its aliases (a provider without `models` serves all). */
function servesWithAliases(
  serves: ModelMatcher,
  aliases: Readonly<Record<string, string>> | undefined,
): ModelMatcher {
  if (serves === undefined || aliases === undefined) return serves;
  return (model) => Object.hasOwn(aliases, model) || serves(model);
}

const isoOrNull = (epochMs: number | null, now: number) =>
  epochMs === null || epochMs <= now ? null : new Date(epochMs).toISOString();

/** A provider's counters and health as /stats shows them. */
export function providerStats(provider: Provider, now: number): ProviderStats {
  const breaker = provider.breaker.snapshot();
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
    breaker: breaker.state,
    consecutiveFailures: breaker.consecutiveFailures,
    cooldownUntil: isoOrNull(breaker.openUntil, now),
    retryAfterUntil: isoOrNull(provider.notBefore, now),
    lastError: provider.lastError,
    continued: provider.continued,
  };
}
