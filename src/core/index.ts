export type { Balancer, Candidate, Random, Strategy } from './balancer/index.js';
export { createBalancer } from './balancer/index.js';
export type { ClientKeys, Config, ProviderConfig, StrategyName } from './config/index.js';
export {
  type ClientKey,
  type ConfigFile,
  type ConfigFileSource,
  clientKeyOf,
  configFileJsonSchema,
  configFileSchema,
  configSchema,
  type ParseConfigOptions,
  parseConfig,
} from './config/index.js';
export {
  ConfigError,
  errorResponse,
  GatewayError,
  InvalidRequestError,
  renderError,
} from './errors/index.js';
export type {
  AbortSignalLike,
  BodyController,
  BodyOutcome,
  BodyReader,
  BodySource,
  ClientSignal,
  GatewayRequest,
  GatewayResponse,
  HeaderMap,
  HeaderSource,
  RequestContext,
} from './exchange/index.js';
export { bodyStream, fromWebRequest, LightHeaders, toWebResponse } from './exchange/index.js';
export type { Gateway, GatewayOptions } from './gateway.js';
export { createGateway } from './gateway.js';
export type { ProxyRoute } from './http/proxy-route.js';
export type { Logger, LogRecord } from './logger.js';
export { jsonConsoleLogger } from './logger.js';
export {
  contentCoding,
  DecodedBodyTooLargeError,
  decodedHeaders,
  limitDecoded,
} from './providers/decoded-limit.js';
export type {
  UpstreamFetch,
  UpstreamRequest,
  UpstreamResponse,
  UpstreamTransport,
} from './providers/transport.js';
export { fetchTransport, UnsupportedEncodingError } from './providers/transport.js';
export { type AbortLatch, createAbortLatch } from './resilience/abort-latch.js';
export { runtimeTimer, type StartTimer, type TimerHandle } from './resilience/start-timer.js';
