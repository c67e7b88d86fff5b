import { ConfigError, createGateway, type Gateway, parseConfig, renderError } from '../core/index.js';

/** One gateway per isolate, built from the first request's `env` (the same object for the isolate's life). */
const gateways = new WeakMap<object, Gateway | ConfigError>();

function gatewayFor(env: Env): Gateway | ConfigError {
  let gateway = gateways.get(env);
  if (gateway === undefined) {
    try {
      gateway = createGateway({ config: parseConfig(env), runtime: 'workers', statsScope: 'isolate' });
    } catch (error) {
      gateway = error instanceof ConfigError ? error : new ConfigError('Invalid configuration.');
    }
    gateways.set(env, gateway);
  }
  return gateway;
}

export default {
  async fetch(request, env, ctx) {
    const gateway = gatewayFor(env);
    if (gateway instanceof ConfigError) {
      // Bad configuration: every request says why (naming the variable, never its value).
      const response = renderError(gateway, crypto.randomUUID());
      response.headers.set('access-control-allow-origin', '*');
      return response;
    }
    return gateway.fetch(request, { waitUntil: (promise) => ctx.waitUntil(promise) });
  },
} satisfies ExportedHandler<Env>;
