export type { Balancer, Candidate, Random, Strategy } from './balancer/index.js';
export { createBalancer } from './balancer/index.js';
export type { ClientKeys, Config, ProviderConfig, StrategyName } from './config/index.js';
export {
  type ConfigFile,
  type ConfigFileSource,
  configFileJsonSchema,
  configFileSchema,
  configSchema,
  type ParseConfigOptions,
  parseConfig,
} from './config/index.js';
export { ConfigError, errorResponse, GatewayError, renderError } from './errors/index.js';
export type { Gateway, GatewayOptions } from './gateway.js';
export { createGateway } from './gateway.js';
export type {
  BodyController,
  BodySource,
  ClientSignal,
  GatewayRequest,
  GatewayResponse,
  HeaderSource,
} from './http/exchange.js';
export { bodyStream, fromWebRequest, toWebResponse } from './http/exchange.js';
export { type HeaderMap, LightHeaders } from './http/header-map.js';
export type { ProxyRoute } from './http/proxy-route.js';
export type { RequestContext } from './http/request-record.js';
export type { Logger, LogRecord } from './logger.js';
export { jsonConsoleLogger } from './logger.js';
export type {
  BodyReader,
  UpstreamFetch,
  UpstreamRequest,
  UpstreamResponse,
  UpstreamTransport,
} from './providers/transport.js';
export { fetchTransport } from './providers/transport.js';
export { type AbortLatch, type AbortSignalLike, createAbortLatch } from './resilience/abort-latch.js';
export { runtimeTimer, type StartTimer, type TimerHandle } from './resilience/start-timer.js';
