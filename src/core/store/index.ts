export { type BudgetPeriod, periodBucket, windowBucket } from './buckets.js';
export { acquireResult, checkAcquire, checkSettle, hasRoom, retryAfterMs } from './counter-states.js';
export {
  createDurableStore,
  type DurableStateNamespace,
  type DurableStateStub,
  type DurableStoreOptions,
} from './durable-store.js';
export { type GuardOptions, guardStore, type StoreFailMode } from './guarded-store.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { type RateLimitCounters, rateLimitHeaders, resetDuration } from './rate-limit-headers.js';
export { createSqlState, type SqlDatabase, type SqlRow, type SqlState, type SqlValue } from './sql-state.js';
export type {
  AcquireRequest,
  AcquireResult,
  Bucket,
  CounterCheck,
  CounterDelta,
  CounterState,
  KeyList,
  KeyRecord,
  KeyStore,
  NewKey,
  PolicyJson,
  SettleRequest,
  Store,
} from './store.js';
