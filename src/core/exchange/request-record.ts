/** How a response body ended: read to the end, cancelled by the client, or failed upstream. */
export type BodyOutcome = 'complete' | 'cancelled' | 'failed';

/**
 * Tokens an answer used, as the provider reported them; `estimated` when it did not (a stream cut short, a
 * provider that sends no usage): then counted from what was delivered.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Of the input tokens, those read from the provider's prompt cache. */
  cachedTokens: number;
  /** Of the output tokens, those spent on reasoning. */
  reasoningTokens: number;
  estimated: boolean;
}

/** What the gateway learns about one request while handling it; the request log line is made from it. */
export interface RequestRecord {
  readonly id: string;
  readonly start: number;
  /** The name of the client key the request was accepted with (never the key). */
  key?: string;
  /** The model the request asked for, when its body names one. */
  model?: string;
  /** The model that answered: as the provider reported it, else the one sent to it. */
  servedModel?: string;
  /** When the answer's head (for a stream: its first event) was ready, in ms since the epoch. */
  firstByteAt?: number;
  /** The token usage of the answer, once known. */
  usage?: Usage;
  /** The answer is an event stream. */
  stream?: boolean;
  /** The provider that served the request, once one was chosen. */
  provider?: string;
  /** Upstream attempts made. */
  attempts: number;
  /** Set when a stream cut after its first byte was continued on another provider (`provider` finished it). */
  continued?: boolean;
  /** How a proxied response body ended, when it had by the time the answer was ready (one read whole). */
  outcome?: BodyOutcome;
  /** Settles when a proxied response body that was still open when the answer was ready has ended. */
  done?: Promise<BodyOutcome>;
}

/** Per-request hooks a runtime offers, such as a Worker's `ctx.waitUntil`. */
export interface RequestContext {
  /** Keeps work (a log line after a stream ends) alive after the response has been returned. */
  waitUntil?: (promise: Promise<unknown>) => void;
}
