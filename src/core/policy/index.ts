export { type ConcurrencyLimit, createConcurrencyLimit } from './concurrency-limit.js';
export { createKeySlots, type KeySlotLimits, KeySlots } from './key-slots.js';
