import {
  type Config,
  ConfigError,
  createGateway,
  type Gateway,
  parseConfig,
  renderError,
} from '../core/index.js';

/**
 * With no provider and no PROXY_API_KEYS (`npm run dev` on a fresh clone), the Worker serves the demo provider
 * as `npm start` does: to a client key generated for this isolate and printed in its log (the `wrangler dev`
 * terminal, `wrangler tail`). Only the demo, which reaches no network, is ever open this way; once a provider is
 * configured, an unset PROXY_API_KEYS refuses every request.
 */
function withDemoKey(config: Config): Config {
  if (!config.demo || config.clientKeys.kind !== 'unset') return config;
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const key = `gw-${btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')}`;
  console.log(
    `PROXY_API_KEYS is not set: generated a client key for the demo provider of this Worker isolate (set PROXY_API_KEYS to choose your own): ${key}`,
  );
  const hint =
    "PROXY_API_KEYS is not set: this Worker serves its demo provider to the client key it generated, printed in the Worker's log (the wrangler dev terminal).";
  return { ...config, clientKeys: { kind: 'list', keys: [key], hint } };
}

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
        gateway = createGateway({ config: withDemoKey(config), runtime: 'workers', statsScope: 'isolate' });
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
