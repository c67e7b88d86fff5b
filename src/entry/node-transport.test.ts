import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BodyReader,
  createAbortLatch,
  DecodedBodyTooLargeError,
  LightHeaders,
  type UpstreamResponse,
} from '../core/index.js';
import { clientResponseHeaders } from '../core/proxy/headers.js';
import { undiciTransport } from './node-transport.js';
import { answerHeaders } from './undici-exchange.js';

const raw = (...lines: string[]) => lines.map((line) => Buffer.from(line, 'latin1'));

describe('answerHeaders (undici header lines as the core reads them)', () => {
  it('reads a field by its lowercase name, null for one that is absent, a repeated field joined with ", "', () => {
    const headers = answerHeaders(
      raw('Content-Type', 'application/json', 'Vary', 'Origin', 'vary', 'Accept'),
    );
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('vary')).toBe('Origin, Accept');
    expect(headers.get('retry-after')).toBeNull();
  });

  it('does not find Object properties as fields', () => {
    const headers = answerHeaders(raw('content-type', 'text/plain'));
    expect(headers.get('constructor')).toBeNull();
    expect(headers.get('__proto__')).toBeNull();
  });

  it('visits every field once, where it first appeared, with its values joined', () => {
    const seen: [string, string][] = [];
    answerHeaders(raw('a', '1', 'Set-Cookie', 'x=1', 'b', '2', 'set-cookie', 'y=2')).forEach(
      (value, name) => {
        seen.push([name, value]);
      },
    );
    expect(seen).toEqual([
      ['a', '1'],
      ['set-cookie', 'x=1, y=2'],
      ['b', '2'],
    ]);
  });

  it.each([
    ['bytes that are not UTF-8 (read as a replacement character)', Buffer.from([0x63, 0x61, 0x66, 0xff])],
    ['a line break', Buffer.from('a\r\nx-injected: 1')],
    ['a NUL', Buffer.from('a\u0000b')],
  ])('refuses a value with %s, as a Web Headers does', (_, value) => {
    expect(() => answerHeaders([Buffer.from('x-odd'), value])).toThrow(TypeError);
    expect(() => new Headers({ 'x-odd': value.toString() })).toThrow(TypeError);
  });

  it('accepts tabs and characters above U+007F that HTTP allows (obs-text)', () => {
    const value = Buffer.from('caf\u00e9\tau lait', 'utf8');
    expect(answerHeaders([Buffer.from('x-name'), value]).get('x-name')).toBe('caf\u00e9\tau lait');
  });

  it('is what the core filters for the client: hop-by-hop fields and cookies dropped', () => {
    const upstream = answerHeaders(
      raw(
        ...['content-type', 'application/json'],
        ...['connection', 'keep-alive', 'keep-alive', 'timeout=5', 'set-cookie', 'a=1', 'set-cookie', 'b=2'],
        ...['x-request-id', 'up-1'],
      ),
    );
    expect([...clientResponseHeaders(upstream)]).toEqual([
      ['content-type', 'application/json'],
      ['x-request-id', 'up-1'],
    ]);
  });
});

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen<T extends Server>(server: T): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A real HTTP server answering with `handler`; each request's connection close is reported to `onClose`. */
function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const closed: Promise<{ finished: boolean }>[] = [];
  const server = createHttpServer((req, res) => {
    closed.push(
      new Promise((resolve) => res.once('close', () => resolve({ finished: res.writableFinished }))),
    );
    handler(req, res);
  });
  return { server, closed };
}

function send(
  url: string,
  init: {
    method?: string;
    body?: string;
    signal?: ReturnType<typeof createAbortLatch>;
    maxDecodedBytes?: number;
  } = {},
) {
  const headers = new LightHeaders();
  headers.set('content-type', 'application/json');
  headers.set('accept-encoding', 'gzip');
  return undiciTransport()(url, {
    method: init.method ?? 'POST',
    headers,
    body: init.body === undefined ? undefined : new TextEncoder().encode(init.body),
    signal: (init.signal ?? createAbortLatch()).signal,
    maxDecodedBytes: init.maxDecodedBytes ?? 64 << 20,
  });
}

async function readAll(body: BodyReader | null): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const result = await body?.read();
    if (result === undefined || result.done) return Buffer.concat(chunks);
    chunks.push(result.value);
  }
}

describe('undiciTransport', () => {
  it('sends method, path, query, headers and body as given, asking for an uncompressed answer', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    const { server } = httpServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' }).end('{"ok":true}');
      });
    });
    const url = await listen(server);
    const answer = await send(`${url}/v1/chat/completions?x=1`, { body: '{"model":"m"}' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-upstream')).toBe('yes');
    expect((await readAll(answer.body)).toString()).toBe('{"ok":true}');
    expect(seen).toMatchObject({ method: 'POST', url: '/v1/chat/completions?x=1', body: '{"model":"m"}' });
    expect(seen.headers).toMatchObject({
      'content-type': 'application/json',
      'accept-encoding': 'identity',
      'content-length': '13',
    });
  });

  it('passes interim 1xx answers by and resolves with the final one', async () => {
    const { server } = httpServer((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('final');
    });
    const answer = await send(await listen(server));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('link')).toBeNull();
    expect((await readAll(answer.body)).toString()).toBe('final');
  });

  it('ends the body at once for an answer without one (204, HEAD)', async () => {
    const { server } = httpServer((req, res) => {
      res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'content-length': '0' }).end();
    });
    const url = await listen(server);
    for (const method of ['DELETE', 'HEAD']) {
      const answer = await send(url, { method });
      expect(await answer.body?.read()).toEqual({ done: true, value: undefined });
    }
  });

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ])('decodes an answer that comes %s-encoded anyway', async (encoding, encode) => {
    const text = JSON.stringify({ words: 'compressible '.repeat(2000) });
    const { server } = httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(encode(text));
    });
    const answer = await send(await listen(server));
    expect(answer.headers.get('content-encoding')).toBeNull();
    expect(answer.headers.get('content-length')).toBeNull();
    expect((await readAll(answer.body)).toString()).toBe(text);
  });

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ])(
    'stops decoding a %s bomb at maxDecodedBytes, having made little more than that',
    async (encoding, encode) => {
      // 256 MiB of zeros, a few hundred kilobytes (gzip) or bytes (br) on the wire.
      const bomb = encode(Buffer.alloc(256 << 20));
      const { server } = httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
        res.end(bomb);
      });
      const answer = await send(await listen(server), { maxDecodedBytes: 1 << 20 });
      let seen = 0;
      const failure = await (async () => {
        for (;;) {
          const result = await answer.body?.read();
          if (result === undefined || result.done) return undefined;
          seen += result.value.byteLength;
        }
      })().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DecodedBodyTooLargeError);
      expect(seen).toBeLessThanOrEqual(1 << 20);
    },
  );

  it.each(['gzip, br', 'zstd', 'compress'])(
    'passes an answer encoded as %j on untouched, with its Content-Encoding',
    async (encoding) => {
      const bytes = gzipSync('{"a":1}');
      const { server } = httpServer((_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': encoding,
          'content-length': bytes.length,
        });
        res.end(bytes);
      });
      const answer = await send(await listen(server));
      expect(answer.headers.get('content-encoding')).toBe(encoding);
      expect(answer.headers.get('content-length')).toBe(String(bytes.length));
      expect(Buffer.compare(await readAll(answer.body), bytes)).toBe(0);
      expect(clientResponseHeaders(answer.headers).get('content-encoding')).toBe(encoding);
    },
  );

  it('rejects when the provider cannot be reached', async () => {
    const { server } = httpServer(() => {});
    const url = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    servers.length = 0;
    await expect(send(url)).rejects.toThrow();
  });

  it('rejects at once when aborted before the answer came, and closes that connection', async () => {
    const { server, closed } = httpServer(() => {});
    const url = await listen(server);
    const latch = createAbortLatch();
    const answer = send(url, { signal: latch });
    await waitFor(() => closed.length === 1);
    latch.abort();
    await expect(answer).rejects.toThrow(/aborted/);
    expect(await closed[0]).toEqual({ finished: false });
  });

  it('fails the read in progress when aborted while the body streams, and closes that connection', async () => {
    const { server, closed } = httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    });
    const latch = createAbortLatch();
    const answer = await send(await listen(server), { signal: latch });
    expect(Buffer.from((await answer.body?.read())?.value ?? []).toString()).toBe('data: 1\n\n');
    const reading = answer.body?.read();
    latch.abort();
    await expect(reading).rejects.toThrow(/aborted/);
    expect(await closed[0]).toEqual({ finished: false });
  });

  it('fails the read when the provider breaks off the body, rather than ending it', async () => {
    const { server } = httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":', () => res.destroy());
    });
    const answer = await send(await listen(server));
    await expect(readAll(answer.body)).rejects.toThrow();
  });

  it('pauses the connection while chunks wait unread, and a cancelled body closes it', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    const { server, closed } = httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const pump = () => {
        while (!res.destroyed && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const answer = await send(await listen(server));
    await answer.body?.read();
    const before = written;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Unread, the answer stops at what the socket buffers hold (a few MB here): nowhere near 512 MB.
    expect(written - before).toBeLessThan(32 * 1024 * 1024);
    // Reading goes on where it stopped.
    let read = 0;
    while (read < 48 * 1024 * 1024) {
      const result = await answer.body?.read();
      if (result === undefined || result.done) throw new Error('ended early');
      read += result.value.byteLength;
    }
    await answer.body?.cancel();
    expect(await closed[0]).toEqual({ finished: false });
  });

  it('cancelling a decoded body closes the connection too', async () => {
    const { server, closed } = httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.write(gzipSync('part one'));
    });
    const answer: UpstreamResponse = await send(await listen(server));
    await answer.body?.cancel();
    expect(await closed[0]).toEqual({ finished: false });
  });

  it('fails on an answer header no HTTP answer may carry, and frees the connection', async () => {
    let socketClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      socketClosed = resolve;
    });
    const server = createNetServer((socket) => {
      socket.once('data', () => {
        // 0xff is not UTF-8: it reads as U+FFFD. The body never ends on its own.
        socket.write(
          Buffer.concat([
            Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-odd: caf'),
            Buffer.from([0xff]),
            Buffer.from('\r\ncontent-length: 100\r\n\r\n{"partial":'),
          ]),
        );
      });
      socket.once('close', socketClosed);
    });
    const url = await listen(server);
    await expect(send(`${url}/v1/models`, { method: 'GET' })).rejects.toThrow(TypeError);
    await closed;
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
