export type {
  AbortSignalLike,
  BodyController,
  BodyReader,
  BodySource,
  ClientSignal,
  GatewayRequest,
  GatewayResponse,
  HeaderSource,
} from './exchange.js';
export { bodyStream, fromWebRequest, toWebResponse } from './exchange.js';
export { type HeaderMap, LightHeaders } from './header-map.js';
export { headerValue } from './header-value.js';
export type { BodyOutcome, RequestContext, RequestRecord, Usage } from './request-record.js';
