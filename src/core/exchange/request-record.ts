/** How a response body ended: read to the end, cancelled by the client, or failed upstream. */
export type BodyOutcome = 'complete' | 'cancelled' | 'failed';

/** What the gateway learns about one request while handling it; the request log line is made from it. */
export interface RequestRecord {
  readonly id: string;
  readonly start: number;
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
