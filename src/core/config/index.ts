export type { StrategyName } from './fields.js';
export { type ConfigFile, configFileJsonSchema, configFileSchema } from './file-schema.js';
export { type ConfigFileSource, type ParseConfigOptions, parseConfig } from './parse-config.js';
export type { StoreConfig } from './resolve-config.js';
export type { ClientKeys, Config, ProviderConfig } from './schema.js';
export { configSchema, DEFAULT_PROVIDER_ID, DEMO_PROVIDER } from './schema.js';
