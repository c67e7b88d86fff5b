import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { type Config, ConfigError } from '../core/index.js';
import { loadNodeConfig } from './node-config.js';
import { batchedStdoutLogger } from './node-logger.js';
import { startNodeServer } from './node-server.js';
import { capYoungGeneration } from './young-generation-cap.js';

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
// 16 of 16 starts, and the same CPU per proxied request in two interleaved A/Bs (Node 20). Set before anything
// is compiled, so that `node dist/gateway.mjs` needs no flags; nothing else in the gateway is WebAssembly. An
// operator's own Liftoff flag wins.
const nodeOptions = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
if (!/--(?:no-)?liftoff/.test(nodeOptions)) setFlagsFromString('--liftoff-only');
// With hundreds of streams open, V8 grows its young generation to 2 x 16 MB, which stays resident. Capped at
// 2 x 8 MB (what the bare proxy of `npm run bench` settles at): 13 MB less peak RSS at 500 open streams, for
// twice as many young-generation collections under full load, about 1.6 µs more CPU per request (measured).
// An operator's own --max-semi-space-size (or --min-) wins.
if (!/--(?:max|min)[-_]semi[-_]space[-_]size/.test(nodeOptions)) capYoungGeneration({ maxSemiSpaceMb: 8 });
// Young-generation collections of at most 2 x 8 MB take about a millisecond on the main thread alone; V8's
// default splits each across helper threads, whose start-up and hand-over cost more than they save on the
// small machines a gateway runs on. Under the throughput load of `npm run bench` (2 cores, CPU of every thread
// of the process counted, interleaved A/B): 5-10% less CPU per request in three runs, the same in a fourth;
// pauses no longer (--trace-gc). An operator's own --parallel-scavenge (or --no-) wins.
if (!/--(?:no-)?parallel[-_]scavenge/.test(nodeOptions)) setFlagsFromString('--no-parallel-scavenge');

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
