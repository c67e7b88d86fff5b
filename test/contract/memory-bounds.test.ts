import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, openAiLike, startFakeUpstream } from '../fixtures/fake-upstream.js';

const ENTRY = fileURLToPath(new URL('../../dist/gateway.mjs', import.meta.url));
const MIB = 1024 * 1024;
const KEY = 'memory-bounds-client-key';

/** The resident set of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** gzip of `size` bytes of spaces, made chunk by chunk (never the whole expansion in memory). */
async function gzipBomb(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const block = Buffer.alloc(MIB, ' ');
  for (let written = 0; written < size; written += block.length) {
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await new Promise((resolve) => gzip.once('end', resolve));
  return Buffer.concat(out);
}

/** A request to the gateway; resolves with the status, the body's first bytes and its length, read to the end. */
function send(url: string, path: string, body: string) {
  return new Promise<{ status: number; head: string; length: number; complete: boolean }>(
    (resolve, reject) => {
      const req = httpRequest(
        `${url}${path}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${KEY}`,
            'content-type': 'application/json',
            'accept-encoding': 'identity',
          },
        },
        (res) => {
          let head = '';
          let length = 0;
          res.on('data', (chunk: Buffer) => {
            if (head.length < 2000) head += chunk.toString('utf8', 0, 2000);
            length += chunk.length;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, head, length, complete: true }));
          res.on('error', () => resolve({ status: res.statusCode ?? 0, head, length, complete: false }));
          res.on('aborted', () => resolve({ status: res.statusCode ?? 0, head, length, complete: false }));
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

// The gateway as `npm start` runs it, in a process of its own, so that its RSS is its own: a stream of 100 MB
// without an event separator and a gzip bomb must leave it about as large as it was.
describe('memory stays bounded under hostile upstream answers (node, own process)', () => {
  let upstream: FakeUpstream;
  let child: ChildProcess;
  let url: string;
  let bomb: Buffer;

  beforeAll(async () => {
    bomb = await gzipBomb(512 * MIB);
    upstream = await startFakeUpstream(async (request, res) => {
      if (request.url.endsWith('/chat/completions') && request.body.includes('"stream":true')) {
        // 100 MB of one never-ending line: no event ever completes.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const block = Buffer.alloc(MIB, 'x');
        for (let sent = 0; sent < 100 && !res.destroyed; sent++) {
          if (!res.write(block))
            await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
        }
        res.end();
        return;
      }
      if (request.url.endsWith('/embeddings')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(bomb);
        return;
      }
      return openAiLike(request, res);
    });
    child = spawn(process.execPath, [ENTRY], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        DEFAULT_OPENAI_PROVIDER: upstream.url,
        PROXY_API_KEYS: KEY,
        // Below MAX_HELD_BODY_BYTES (8 MiB): a JSON bomb fails before its first byte, as a clean 502.
        MAX_DECODED_BODY_BYTES: String(4 * MIB),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    for (let waited = 0; waited < 15_000 && url === undefined; waited += 25) {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) url = match[1];
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (url === undefined) throw new Error('the gateway did not start');
  }, 60_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await upstream?.close();
  });

  it('answers 502 in OpenAI shape to both, its RSS growing by far less than what was sent', async () => {
    // Warm up (JIT, pools, buffers), then take the baseline.
    for (let i = 0; i < 20; i++) await send(url, '/v1/chat/completions', '{"model":"m","messages":[]}');
    const pid = child.pid as number;
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 20);
    try {
      const stream = await send(url, '/v1/chat/completions', '{"model":"m","messages":[],"stream":true}');
      expect(stream.status).toBe(502);
      expect(JSON.parse(stream.head)).toMatchObject({
        error: { type: 'api_error', code: 'upstream_failed' },
      });
      expect(stream.head).toContain('MAX_FIRST_EVENT_BYTES');

      const decoded = await send(url, '/v1/embeddings', '{"model":"m","input":"x"}');
      expect(decoded.status).toBe(502);
      expect(decoded.head).toContain('MAX_DECODED_BODY_BYTES');
      expect(decoded.length).toBeLessThan(2000);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssOf(pid));
    // 100 MB streamed and 512 MiB behind the bomb. Measured: +13 MiB with the caps, +143 MiB without them.
    expect(peak - baseline).toBeLessThan(48 * MIB);
    // And the gateway still answers.
    expect((await send(url, '/v1/chat/completions', '{"model":"m","messages":[]}')).status).toBe(200);
  }, 60_000);
});
