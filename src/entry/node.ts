import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { type Config, ConfigError } from '../core/index.js';
import { parseCliArgs, USAGE } from './cli-args.js';
import { loadNodeConfig } from './node-config.js';
import { batchedStdoutLogger } from './node-logger.js';
import { startNodeServer } from './node-server.js';
import { v8Defaults } from './v8-defaults.js';

/** One line on stderr and a non-zero exit: never a stack trace, never a value from the environment. */
function exitWith(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Set by the bundler (scripts/bundle-node.mjs) from package.json. */
declare const GATEWAY_VERSION: string | undefined;

const command = parseCliArgs(process.argv.slice(2));
if (command.kind === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (command.kind === 'version') {
  process.stdout.write(`${typeof GATEWAY_VERSION === 'string' ? GATEWAY_VERSION : 'unknown'}\n`);
  process.exit(0);
}
if (command.kind === 'error') {
  process.stderr.write(`${command.message}\n`);
  process.exit(2);
}
// The options stand for variables, and win over them.
const env = { ...process.env, ...command.env };

function loadConfig(): Config {
  try {
    return loadNodeConfig(env);
  } catch (error) {
    return exitWith(error instanceof ConfigError ? error.message : 'Invalid configuration.');
  }
}

// Before anything they affect runs (see v8-defaults.ts); an operator's own Node options win.
for (const flag of v8Defaults(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) {
  setFlagsFromString(flag);
}

const notices: string[] = [];
let config = loadConfig();
if (config.clientKeys.kind === 'unset') {
  // Secure by default: no open proxy, but a first run still works with the key printed here.
  const key = `gw-${randomBytes(24).toString('base64url')}`;
  config = {
    ...config,
    clientKeys: {
      kind: 'list',
      keys: [key],
      hint: 'PROXY_API_KEYS is not set: use the client key generated for this run, printed when the gateway started.',
    },
  };
  notices.push(
    `PROXY_API_KEYS is not set: generated a client key for this run (set PROXY_API_KEYS to choose your own): ${key}`,
  );
}
if (config.demo) {
  notices.push(
    'No provider configured (DEFAULT_OPENAI_PROVIDER / ADDITIONAL_PROVIDERS): serving the built-in demo provider "demo".',
  );
}

const logger = batchedStdoutLogger();
process.on('exit', () => logger.flush());

process.on('unhandledRejection', (reason) => {
  logger({
    level: 'error',
    msg: 'unhandled rejection',
    error: reason instanceof Error ? reason.name : typeof reason,
  });
});

try {
  const server = await startNodeServer({ config, logger });
  for (const notice of notices) console.log(notice);
  console.log(
    `OpenAI gateway listening on ${server.url} (strategy ${config.strategy}, ${config.providers.length} provider(s))`,
  );
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: stop waiting for what is in flight.
      process.stdout.write(`${signal} again: closing open connections now.\n`);
      process.exit(0);
    }
    stopping = true;
    process.stdout.write(
      `${signal}: no longer accepting connections; letting requests in flight finish (up to ${config.shutdownGraceMs} ms).\n`,
    );
    void server.close({ graceMs: config.shutdownGraceMs }).then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
} catch (error) {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  exitWith(
    code === 'EADDRINUSE'
      ? `Cannot listen on ${where}: the address is already in use (set PORT or HOST).`
      : `Cannot listen on ${where}: ${code ?? 'unexpected error'}.`,
  );
}
