import { ConfigError, createGateway, type Gateway, parseConfig, renderError } from '../core/index.js';

export interface WorkerOptions {
  /**
   * A config file bundled with the Worker (`import config from '../../gateway.config.json'`). Variables and
   * secrets still apply over it; `GATEWAY_CONFIG` must then be unset.
   */
  readonly config?: object;
}

/**
 * The Worker's handler. The default export is `createWorker()`; an entry of your own can bundle a config file.
 *
 * @example
 * import config from '../../gateway.config.json';
 * export default createWorker({ config });
 */
export function createWorker(options: WorkerOptions = {}): ExportedHandler<Env> {
  const file = options.config === undefined ? undefined : { label: 'imported config', value: options.config };
  /** One gateway per isolate, built from the first request's `env` (the same object for the isolate's life). */
  const gateways = new WeakMap<object, Gateway | ConfigError>();

  const gatewayFor = (env: Env): Gateway | ConfigError => {
    let gateway = gateways.get(env);
    if (gateway === undefined) {
      try {
        const config = parseConfig(env, { file });
        if (config.store.engine !== 'memory') {
          const name = config.store.engine === 'redis' ? 'REDIS_URL' : 'GATEWAY_DB';
          throw new ConfigError(
            `Invalid configuration: ${name}: Node only; on Workers the shared state is the GATEWAY_STATE Durable Object binding (wrangler.toml)`,
          );
        }
        gateway = createGateway({ config, runtime: 'workers', statsScope: 'isolate' });
      } catch (error) {
        gateway = error instanceof ConfigError ? error : new ConfigError('Invalid configuration.');
      }
      gateways.set(env, gateway);
    }
    return gateway;
  };

  return {
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
  };
}

/** The Durable Object class of the `GATEWAY_STATE` binding: an entry of your own must export it too. */
export { GatewayState } from './durable-state.js';

export default createWorker();
