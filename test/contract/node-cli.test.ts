import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../../dist/gateway.mjs', import.meta.url));
const SECRET = 'sk-live-NEVER-PRINT-ME-0123';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

const files = mkdtempSync(join(tmpdir(), 'gateway-cli-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));
/** Writes a config file and returns its path. */
function configFile(name: string, text: string): string {
  const path = join(files, name);
  writeFileSync(path, text);
  return path;
}
const provider = (id: string, extra = {}) => ({
  id,
  baseUrl: `https://${id}.example`,
  token: SECRET,
  ...extra,
});
const badModels = configFile(
  'bad-models.json',
  JSON.stringify({ providers: [provider('a'), provider('b'), provider('c', { models: ['ok', ''] })] }),
);
const badJson = configFile('bad.json', `{"providers":[{"id":"a","token":"${SECRET}"`);

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

/** Starts `node dist/gateway.mjs` (what `npm start` runs after building) with only the given variables. */
function start(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function ready(run: Run): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    const match = /listening on (http:\/\/\S+)/.exec(run.stdout());
    if (match?.[1]) return match[1];
    if (run.child.exitCode !== null) throw new Error(`exited early: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the server did not print its URL');
}

async function exitOf(run: Run): Promise<number | null> {
  if (run.child.exitCode === null) await once(run.child, 'exit');
  return run.child.exitCode;
}

describe('npm start (node dist/gateway.mjs)', () => {
  it('with nothing configured: prints the URL and a generated key, and serves the demo provider', async () => {
    const run = start({});
    const url = await ready(run);
    expect(run.stdout()).toContain('demo provider');
    const key = /(gw-[A-Za-z0-9_-]{20,})/.exec(run.stdout())?.[1];
    expect(key).toBeDefined();

    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer invented' } })).status).toBe(
      401,
    );

    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const completion = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(completion.status).toBe(200);
    expect(completion.headers.get('x-proxy-provider')).toBe('demo');
    const body = (await completion.json()) as { object: string; choices: { message: { content: string } }[] };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.message.content).toContain('hello');

    const streamed = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: 'demo-chat',
        stream: true,
        messages: [{ role: 'user', content: 'hello' }],
      }),
    });
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    // Chunk by chunk: the demo spaces its events out, so each read brings one event, not the whole answer.
    const reads: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of streamed.body as unknown as AsyncIterable<Uint8Array>)
      reads.push(decoder.decode(chunk));
    expect(reads.length).toBeGreaterThan(10);
    expect(reads.filter((read) => read.split('data: ').length - 1 === 1).length).toBeGreaterThan(10);
    expect(reads.join('').trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(run.stdout()).toContain('"msg":"request"');
  });

  it('with PROXY_API_KEYS set: prints no generated key and accepts only the configured one', async () => {
    const run = start({ PROXY_API_KEYS: 'mine-1,mine-2' });
    const url = await ready(run);
    expect(run.stdout()).not.toMatch(/gw-[A-Za-z0-9_-]{20,}/);
    expect(run.stdout()).not.toContain('mine-1');
    expect((await fetch(`${url}/stats`, { headers: { 'x-api-key': 'mine-2' } })).status).toBe(200);
  });

  it('stops with exit code 0 on SIGTERM', async () => {
    const run = start({ PROXY_API_KEYS: 'k' });
    await ready(run);
    run.child.kill('SIGTERM');
    const code = await exitOf(run);
    // On a failure, say how it ended: once (in a loaded CI run) the process ended by a signal instead.
    expect(code, `signal ${run.child.signalCode}; stdout: ${run.stdout()}; stderr: ${run.stderr()}`).toBe(0);
  });

  it.each([
    [
      'ADDITIONAL_PROVIDERS',
      { ADDITIONAL_PROVIDERS: `[{"id":"a","baseUrl":"https://x.example","token":"${SECRET}"` },
    ],
    [
      'ADDITIONAL_PROVIDERS[0].weight',
      { ADDITIONAL_PROVIDERS: `[{"id":"a","baseUrl":"https://x.example","token":"${SECRET}","weight":-1}]` },
    ],
    [
      'ADDITIONAL_PROVIDERS[0].baseUrl',
      { ADDITIONAL_PROVIDERS: `[{"id":"a","baseUrl":"not a url","token":"${SECRET}"}]` },
    ],
    [
      'ADDITIONAL_PROVIDERS',
      { ADDITIONAL_PROVIDERS: `{"id":"a","baseUrl":"https://x.example","token":"${SECRET}"}` },
    ],
    [
      'DEFAULT_OPENAI_PROVIDER',
      { DEFAULT_OPENAI_PROVIDER: `https://user:${SECRET}@api.example.com`, DEFAULT_OPENAI_TOKEN: SECRET },
    ],
    [
      'DEFAULT_OPENAI_PROVIDER',
      { DEFAULT_OPENAI_PROVIDER: 'ftp://files.example.com', DEFAULT_OPENAI_TOKEN: SECRET },
    ],
    [
      'DEFAULT_OPENAI_TOKEN',
      { DEFAULT_OPENAI_PROVIDER: 'https://api.example.com', DEFAULT_OPENAI_TOKEN: `${SECRET} x` },
    ],
    [
      'LOAD_BALANCER_STRATEGY',
      {
        LOAD_BALANCER_STRATEGY: 'FASTEST',
        DEFAULT_OPENAI_TOKEN: SECRET,
        DEFAULT_OPENAI_PROVIDER: 'https://a.example',
      },
    ],
    ['CORS_ALLOWED_ORIGINS', { CORS_ALLOWED_ORIGINS: 'not-an-origin' }],
    ['MAX_BODY_BYTES', { MAX_BODY_BYTES: '-5' }],
    ['PORT', { PORT: '99999' }],
    ['PROXY_API_KEYS', { PROXY_API_KEYS: '*,other' }],
    [
      `GATEWAY_CONFIG_FILE (${badModels}) providers[2].models[1]: must not be empty`,
      { GATEWAY_CONFIG_FILE: badModels },
    ],
    [`GATEWAY_CONFIG_FILE (${badJson}): is not valid JSON`, { GATEWAY_CONFIG_FILE: badJson }],
    [
      'GATEWAY_CONFIG_FILE: cannot read /nonexistent/gw.json (no such file)',
      { GATEWAY_CONFIG_FILE: '/nonexistent/gw.json' },
    ],
    [
      'FW_KEY: must be printable ASCII',
      {
        GATEWAY_CONFIG_FILE: configFile(
          'fw.json',
          JSON.stringify({ providers: [{ id: 'fw', baseUrl: 'https://fw.example', tokenEnv: 'FW_KEY' }] }),
        ),
        FW_KEY: `${SECRET} x`,
      },
    ],
  ])(
    'refuses to start on a bad %s: exit code 1, one line naming it, no token, no stack',
    async (variable, env) => {
      const run = start(env);
      expect(await exitOf(run)).toBe(1);
      const lines = run.stderr().trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(variable);
      expect(run.stderr() + run.stdout()).not.toContain(SECRET);
      expect(run.stderr()).not.toMatch(/\n\s+at /);
      expect(run.stdout()).not.toContain('listening');
    },
  );

  it('reads GATEWAY_CONFIG_FILE, with the environment over it', async () => {
    const path = configFile(
      'good.json',
      JSON.stringify({
        providers: [provider('a'), provider('b', { token: undefined, tokenEnv: 'B_KEY' })],
        loadBalancerStrategy: 'least-used',
        proxyApiKeys: ['file-key'],
        port: 1,
      }),
    );
    const run = start({ GATEWAY_CONFIG_FILE: path, B_KEY: SECRET });
    const url = await ready(run);
    expect(run.stdout()).toContain('(strategy least-used, 2 provider(s))');
    expect(run.stdout()).not.toContain('generated');
    // PORT=0 from the environment wins over the file's port 1.
    expect(new URL(url).port).not.toBe('1');
    const stats = await fetch(`${url}/stats`, { headers: { authorization: 'Bearer file-key' } });
    expect(stats.status).toBe(200);
    expect(run.stdout() + run.stderr()).not.toContain(SECRET);
    run.child.kill('SIGTERM');
    const code = await exitOf(run);
    // On a failure, say how it ended: once (in a loaded CI run) the process ended by a signal instead.
    expect(code, `signal ${run.child.signalCode}; stdout: ${run.stdout()}; stderr: ${run.stderr()}`).toBe(0);
  });

  it('says in one line when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const run = start({ PORT: String(port), PROXY_API_KEYS: 'k' });
      expect(await exitOf(run)).toBe(1);
      expect(run.stderr().trim()).toBe(
        `Cannot listen on 127.0.0.1:${port}: the address is already in use (set PORT or HOST).`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM refuses new connections, lets a stream in flight finish, then exits 0', async () => {
    const { startFakeUpstream, startSse, chatChunk } = await import('../fixtures/fake-upstream.js');
    const upstream = await startFakeUpstream((_request, res) => {
      startSse(res);
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        if (sent <= 8) return res.write(chatChunk(`part${sent} `));
        clearInterval(timer);
        res.end('data: [DONE]\n\n');
      }, 100);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const run = start({
        DEFAULT_OPENAI_PROVIDER: upstream.url,
        PROXY_API_KEYS: 'k',
        SHUTDOWN_GRACE_MS: '5000',
      });
      const url = await ready(run);
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', stream: true, messages: [] }),
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = new TextDecoder().decode((await reader.read()).value);
      run.child.kill('SIGTERM');
      // Once it says so (printed as it stops listening), not after a fixed moment that a slow machine overruns.
      for (let waited = 0; waited < 2000 && !run.stdout().includes('SIGTERM: no longer'); waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // A new connection is refused while the stream goes on.
      await expect(fetch(`${url}/health`, { headers: { connection: 'close' } })).rejects.toThrow();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toContain('part8');
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(await exitOf(run)).toBe(0);
      expect(run.stdout()).toContain('SIGTERM: no longer accepting connections');
    } finally {
      await upstream.close();
    }
  });
});
