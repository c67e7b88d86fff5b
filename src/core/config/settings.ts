import * as z from 'zod/mini';
import { envValue, integerString } from './fields.js';

const MIB = 1024 * 1024;
const HOUR = 3_600_000;

interface NumberSetting {
  /** The environment variable; the config file's key is the table's key. */
  readonly env: string;
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

/**
 * Every whole-number setting, once: its variable, its config-file key and its bounds. The env and file schemas
 * are both built from this table, so the two cannot drift. Defaults live with the rest in `resolve-config.ts`.
 */
export const numberSettings = {
  maxBodyBytes: {
    env: 'MAX_BODY_BYTES',
    min: 1,
    max: 1024 * MIB,
    description: 'Largest request body accepted (413 above it).',
  },
  upstreamHeadersTimeoutMs: {
    env: 'UPSTREAM_HEADERS_TIMEOUT_MS',
    min: 1,
    max: HOUR,
    description: "Wait for an upstream's response headers before trying the next provider.",
  },
  requestTimeoutMs: {
    env: 'REQUEST_TIMEOUT_MS',
    min: 1,
    max: 24 * HOUR,
    description: 'Total budget of one request, every attempt included.',
  },
  firstTokenTimeoutMs: {
    env: 'FIRST_TOKEN_TIMEOUT_MS',
    min: 1,
    max: HOUR,
    description: "Wait for a stream's first event before trying the next provider.",
  },
  streamIdleTimeoutMs: {
    env: 'STREAM_IDLE_TIMEOUT_MS',
    min: 1,
    max: HOUR,
    description: 'Longest silence inside a response before it is cut.',
  },
  maxAttempts: {
    env: 'MAX_ATTEMPTS',
    min: 1,
    max: 20,
    description: 'Attempts per model (default: every provider once, at least 2).',
  },
  breakerFailureThreshold: {
    env: 'BREAKER_FAILURE_THRESHOLD',
    min: 1,
    max: 1000,
    description: "Consecutive failures that open a provider's circuit breaker.",
  },
  breakerCooldownMs: {
    env: 'BREAKER_COOLDOWN_MS',
    min: 1,
    max: HOUR,
    description: 'First cooldown of an open breaker; doubles on each failed probe.',
  },
  breakerMaxCooldownMs: {
    env: 'BREAKER_MAX_COOLDOWN_MS',
    min: 1,
    max: 24 * HOUR,
    description: 'Longest breaker cooldown.',
  },
  modelsCacheTtlMs: {
    env: 'MODELS_CACHE_TTL_MS',
    min: 0,
    max: 24 * HOUR,
    description: "How long a provider's own /v1/models list is cached (0: not cached).",
  },
  shutdownGraceMs: {
    env: 'SHUTDOWN_GRACE_MS',
    min: 0,
    max: HOUR,
    description: 'Node: how long SIGTERM waits for requests in flight.',
  },
  maxFirstEventBytes: {
    env: 'MAX_FIRST_EVENT_BYTES',
    min: 1,
    max: 64 * MIB,
    description: 'Most bytes of a stream held before its first event; past it the attempt fails.',
  },
  maxHeldBodyBytes: {
    env: 'MAX_HELD_BODY_BYTES',
    min: 0,
    max: 128 * MIB,
    description:
      'Largest JSON answer read whole before it is sent (a larger one is streamed on as it comes).',
  },
  maxDecodedBodyBytes: {
    env: 'MAX_DECODED_BODY_BYTES',
    min: 1,
    max: 4096 * MIB,
    description: 'Most bytes a compressed upstream answer may decode to; past it the answer fails.',
  },
  clientHeadersTimeoutMs: {
    env: 'CLIENT_HEADERS_TIMEOUT_MS',
    min: 1,
    max: HOUR,
    description: "Node: wait for a client's request headers (408 past it).",
  },
  clientBodyTimeoutMs: {
    env: 'CLIENT_BODY_TIMEOUT_MS',
    min: 1,
    max: HOUR,
    description: "Longest wait between two reads of a client's request body (408 past it).",
  },
  maxConnections: {
    env: 'MAX_CONNECTIONS',
    min: 0,
    max: 1_000_000,
    description: 'Node: open client connections; past it a new one gets 503 and is closed (0: no cap).',
  },
  maxConcurrentRequestsPerKey: {
    env: 'MAX_CONCURRENT_REQUESTS_PER_KEY',
    min: 0,
    max: 1_000_000,
    description: 'Requests in flight per client key, streams included; past it 429 (0: no cap).',
  },
  maxOpenStreamsPerKey: {
    env: 'MAX_OPEN_STREAMS_PER_KEY',
    min: 0,
    max: 1_000_000,
    description: 'Event streams open per client key; past it 429 (0: no cap).',
  },
  storeTimeoutMs: {
    env: 'STORE_TIMEOUT_MS',
    min: 1,
    max: 60_000,
    description: 'Deadline of every call to the shared state store (Redis, the Durable Object).',
  },
  port: { env: 'PORT', min: 0, max: 65_535, description: 'Node: the port to listen on.' },
} as const satisfies Record<string, NumberSetting>;

type NumberSettings = typeof numberSettings;
export type NumberKey = keyof NumberSettings;
const numberKeys = Object.keys(numberSettings) as NumberKey[];

/** The table as environment-variable schemas: `{ MAX_BODY_BYTES: "1048576" }`. */
export const numberVariables = Object.fromEntries(
  numberKeys.map((key) => [numberSettings[key].env, envValue(integerString(numberSettings[key]))]),
) as {
  [K in NumberKey as NumberSettings[K]['env']]: ReturnType<typeof envValue<ReturnType<typeof integerString>>>;
};

/** The table as config-file schemas: `{ "maxBodyBytes": 1048576 }`. */
export const numberFields = Object.fromEntries(
  numberKeys.map((key) => {
    const { min, max, description } = numberSettings[key];
    return [
      key,
      z.optional(
        z
          .int('must be a whole number')
          .check(
            z.minimum(min, `must be at least ${min}`),
            z.maximum(max, `must be at most ${max}`),
            z.describe(`${description} Environment: ${numberSettings[key].env}.`),
          ),
      ),
    ];
  }),
) as { [K in NumberKey]: z.ZodMiniOptional<z.ZodMiniInt> };

/** Each number, from the environment when set there, else from the file. */
export function mergeNumbers(
  env: { readonly [name: string]: unknown },
  file: { readonly [K in NumberKey]?: number | undefined } | undefined,
): { [K in NumberKey]: number | undefined } {
  return Object.fromEntries(
    numberKeys.map((key) => [key, (env[numberSettings[key].env] as number | undefined) ?? file?.[key]]),
  ) as { [K in NumberKey]: number | undefined };
}
