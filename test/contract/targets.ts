import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Json, Miniflare } from 'miniflare';
import type { LogRecord } from '../../src/core/index.js';
import { loadNodeConfig } from '../../src/entry/node-config.js';
import { startNodeServer } from '../../src/entry/node-server.js';
import { BUNDLE, ROOT } from '../workers/bundle.js';

/** A running gateway the contract suite talks to over real sockets. */
export interface Target {
  readonly url: string;
  /** Every log line the gateway wrote, to check that no secret reaches the logs. */
  readonly logs: LogRecord[];
  close(): Promise<void>;
}

export type StartTarget = (env: Record<string, string>) => Promise<Target>;

/** The gateway served by the Node entry, in this process, on an ephemeral port. */
export const startNodeTarget: StartTarget = async (env) => {
  const logs: LogRecord[] = [];
  const server = await startNodeServer({
    config: loadNodeConfig({ HOST: '127.0.0.1', PORT: '0', ...env }),
    logger: (record) => logs.push(record),
  });
  return { url: server.url, logs, close: () => server.close() };
};

const wranglerToml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
/** The Workers runtime settings of wrangler.toml, for every Miniflare the tests start. */
export const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wranglerToml)?.[1];
export const compatibilityFlags = [
  ...(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(wranglerToml)?.[1] ?? '').matchAll(/"([^"]+)"/g),
].map((match) => match[1] as string);

/**
 * The Worker, as wrangler bundles it, in the real Workers runtime (workerd, through Miniflare), with `env` as
 * its bindings. Its console output is collected as its log lines.
 */
export const startWorkerTarget = async (
  env: Readonly<Record<string, string | Record<string, unknown>>>,
  options: { scriptPath?: string } = {},
): Promise<Target> => {
  const logs: LogRecord[] = [];
  const collect = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const start = line.indexOf('{');
        if (start === -1) continue;
        try {
          logs.push(JSON.parse(line.slice(start)) as LogRecord);
        } catch {
          logs.push({ level: 'info', msg: 'raw', line });
        }
      }
    });
  };
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: options.scriptPath ?? BUNDLE,
    ...(compatibilityDate === undefined ? {} : { compatibilityDate }),
    compatibilityFlags,
    // A [vars] table reaches the Worker as an object: JSON bindings, as wrangler gives them.
    bindings: env as Record<string, Json>,
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      collect(stdout);
      collect(stderr);
    },
  });
  const url = await miniflare.ready;
  return { url: url.origin, logs, close: () => miniflare.dispose() };
};
