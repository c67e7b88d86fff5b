export type { StrategyName } from './fields.js';
export { parseConfig } from './parse-config.js';
export type { ClientKeys, Config, ProviderConfig } from './schema.js';
export { configSchema, DEFAULT_PROVIDER_ID, DEMO_PROVIDER } from './schema.js';
