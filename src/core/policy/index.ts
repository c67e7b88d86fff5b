export { type ConcurrencyLimit, createConcurrencyLimit } from './concurrency-limit.js';
