export type { ErrorType, GatewayErrorOptions } from './gateway-error.js';
export {
  AuthenticationError,
  ClientClosedError,
  ConfigError,
  GatewayError,
  InvalidRequestError,
  RateLimitError,
  RequestTimeoutError,
  StoreUnavailableError,
  UpstreamError,
} from './gateway-error.js';
export type { OpenAIErrorBody } from './render-error.js';
export { errorResponse, internalErrorBody, renderError } from './render-error.js';
