export type { ErrorType, GatewayErrorOptions } from './gateway-error.js';
export {
  AuthenticationError,
  ClientClosedError,
  ConfigError,
  EndpointNotAllowedError,
  GatewayError,
  InvalidRequestError,
  MethodNotAllowedError,
  RateLimitError,
  RequestTimeoutError,
  StoreUnavailableError,
  UpstreamError,
} from './gateway-error.js';
export type { OpenAIErrorBody } from './render-error.js';
export { errorResponse, internalErrorBody, renderError } from './render-error.js';
