import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { type Config, ConfigError } from '../core/index.js';
import { loadNodeConfig } from './node-config.js';
import { batchedStdoutLogger } from './node-logger.js';
import { startNodeServer } from './node-server.js';

/** One line on stderr and a non-zero exit: never a stack trace, never a value from the environment. */
function exitWith(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function loadConfig(): Config {
  try {
    return loadNodeConfig(process.env);
  } catch (error) {
    return exitWith(error instanceof ConfigError ? error.message : 'Invalid configuration.');
  }
}

// undici parses HTTP with llhttp built to WebAssembly. V8 compiles it with its baseline compiler (Liftoff),
// and by default hot functions again with TurboFan, whose compile takes up to 36 MB from the C allocator for a
// moment; in about half of all starts some of it stays resident (RSS after the first requests 54 or 64 MB,
// once 90), whether TurboFan runs on a background thread or up front (--no-liftoff). Liftoff alone: 55 MB in
// 24 of 24 starts, and the same CPU per proxied request in two interleaved A/Bs (Node 20). Set before anything
// is compiled, so that `node dist/gateway.mjs` needs no flags; nothing else in the gateway is WebAssembly. An
// operator's own Liftoff flag wins.
const nodeOptions = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
if (!/--(?:no-)?liftoff/.test(nodeOptions)) setFlagsFromString('--liftoff-only');
// The young generation is left as V8 sizes and collects it (up to 2 x 16 MB, collected in parallel). Capping it
// at 2 x 8 MB and collecting it on the main thread alone, as this entry once did, made each burst of 500 new
// streams spend ~60 ms in collection pauses instead of ~35 (the bare proxy: ~25), and the first chunk of every
// stream in the burst waited them out. Six `npm run bench` runs of each, interleaved: chunk delay p99
// 0.97-1.77x the bare proxy's (3 of 6 over 1.5x) against 0.90-1.49x; CPU per request under full load within
// the noise of two A/Bs (-3%, +8%); peak RSS with 500 streams open 0.88-1.12x against 0.95-1.00x (once 1.32x,
// when several bursts' garbage waited for an old-generation collection).

const notices: string[] = [];
let config = loadConfig();
if (config.clientKeys.kind === 'unset') {
  // Secure by default: no open proxy, but a first run still works with the key printed here.
  const key = `gw-${randomBytes(24).toString('base64url')}`;
  config = { ...config, clientKeys: { kind: 'list', keys: [key] } };
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
