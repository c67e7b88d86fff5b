import type { AcquireRequest, AcquireResult, CounterCheck, CounterState, SettleRequest } from './store.js';

/** Whether a counter at `used` has room for `cost`: a zero cost (a read) still needs `used < limit`. */
export function hasRoom(used: number, check: CounterCheck): boolean {
  return used < check.limit && used + check.cost <= check.limit;
}

/**
 * Builds the answer of an acquire from what each counter held before it, as every engine does: the engines
 * differ only in how they read and charge atomically.
 */
export function acquireResult(request: AcquireRequest, before: readonly number[]): AcquireResult {
  const { counters } = request;
  let allowed = true;
  for (let index = 0; index < counters.length; index++) {
    if (!hasRoom(before[index] ?? 0, counters[index] as CounterCheck)) allowed = false;
  }
  const states: CounterState[] = counters.map((check, index) => {
    const was = before[index] ?? 0;
    const used = allowed ? was + check.cost : was;
    return {
      id: check.id,
      limit: check.limit,
      used,
      remaining: Math.max(0, check.limit - used),
      resetAt: check.bucket.end,
      allowed: hasRoom(was, check),
    };
  });
  return { allowed, counters: states };
}

const isCount = (value: number) => Number.isSafeInteger(value) && value >= 0;

/** Refuses a malformed call before it reaches an engine (a bug in the caller, never a client's input). */
export function checkAcquire(request: AcquireRequest): void {
  const seen = new Set<string>();
  for (const check of request.counters) {
    if (seen.has(check.id)) throw new RangeError(`store: counter "${check.id}" twice in one call`);
    seen.add(check.id);
    if (!isCount(check.limit) || !isCount(check.cost)) {
      throw new RangeError(`store: counter "${check.id}": limit and cost must be whole numbers >= 0`);
    }
  }
}

/** Refuses a malformed settle. */
export function checkSettle(request: SettleRequest): void {
  for (const delta of request.counters) {
    if (!Number.isSafeInteger(delta.delta)) {
      throw new RangeError(`store: counter "${delta.id}": delta must be a whole number`);
    }
  }
}

/**
 * How long a refused call should wait (`Retry-After`): until the latest reset among the counters that refused
 * it; `undefined` when the call was allowed or a refusing counter never resets (a spent total budget).
 *
 * @example
 * const answer = await store.acquire(request);
 * const wait = retryAfterMs(answer, Date.now()); // e.g. 12_000 -> Retry-After: 12
 */
export function retryAfterMs(result: AcquireResult, now: number): number | undefined {
  if (result.allowed) return undefined;
  let latest = now;
  for (const state of result.counters) {
    if (state.allowed) continue;
    if (state.resetAt === null) return undefined;
    latest = Math.max(latest, state.resetAt);
  }
  return latest - now;
}
