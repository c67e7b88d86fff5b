import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../fixtures/fake-upstream.js';
import { CLIENT_KEY, TOKENS } from './helpers.js';
import { startNodeTarget, type Target } from './targets.js';

/** A raw client connection: what it received, and whether (and when) the server closed it. */
interface RawClient {
  socket: Socket;
  received: () => string;
  closed: Promise<number>;
  write: (text: string | Buffer) => void;
}

function open(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    const closed = new Promise<number>((done) => socket.once('close', () => done(performance.now())));
    socket.on('error', () => {});
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => received,
        closed,
        write: (text) => {
          if (!socket.destroyed) socket.write(text);
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** Resolves with `promise`, or fails the test after `ms` naming what did not happen. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)),
  ]);
}

function statusOf(raw: string): number {
  return Number(raw.slice(9, 12));
}

function errorOf(raw: string): { code: string; message: string; type: string } {
  return (JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: never }).error;
}

const HEAD = (path: string, headers: string[]) =>
  [`POST ${path} HTTP/1.1`, 'Host: gateway.test', ...headers, '', ''].join('\r\n');

// Node only: the headers timeout, the connection cap and the closing of a connection are the Node server's.
// (Workers' front end is Cloudflare's, which buffers and times out clients itself.)
describe('slow and idle clients (node)', () => {
  let upstream: FakeUpstream;
  let gateway: Target;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startNodeTarget({
      DEFAULT_OPENAI_PROVIDER: upstream.url,
      DEFAULT_OPENAI_TOKEN: TOKENS.a,
      PROXY_API_KEYS: CLIENT_KEY,
      CLIENT_HEADERS_TIMEOUT_MS: '500',
      CLIENT_BODY_TIMEOUT_MS: '500',
      REQUEST_TIMEOUT_MS: '1500',
      MAX_CONNECTIONS: '4',
    });
  });
  afterAll(async () => {
    for (const client of clients) client.socket.destroy();
    await gateway.close();
    await upstream.close();
  });

  const client = async () => {
    const made = await open(gateway.url);
    clients.push(made);
    return made;
  };

  it('answers 408 in OpenAI shape to a client that does not finish its headers, and closes', async () => {
    const slow = await client();
    slow.write('POST /v1/chat/completions HTTP/1.1\r\nHost: gateway.test\r\n');
    await within(4_000, slow.closed, 'the connection closed');
    expect(statusOf(slow.received())).toBe(408);
    expect(errorOf(slow.received())).toMatchObject({
      code: 'request_timeout',
      type: 'invalid_request_error',
    });
    expect(errorOf(slow.received()).message).toContain('CLIENT_HEADERS_TIMEOUT_MS');
  });

  it('answers 408 to a body that stops arriving (CLIENT_BODY_TIMEOUT_MS), and closes', async () => {
    const before = upstream.requests.length;
    const slow = await client();
    slow.write(
      HEAD('/v1/chat/completions', [
        `Authorization: Bearer ${CLIENT_KEY}`,
        'Content-Type: application/json',
        'Content-Length: 100',
      ]),
    );
    slow.write('{"model":');
    await within(4_000, slow.closed, 'the connection closed');
    expect(statusOf(slow.received())).toBe(408);
    expect(errorOf(slow.received()).code).toBe('request_timeout');
    expect(errorOf(slow.received()).message).toContain('CLIENT_BODY_TIMEOUT_MS');
    expect(upstream.requests.length).toBe(before);
  });

  it('answers 408, not 503, to an upload still trickling in when REQUEST_TIMEOUT_MS runs out', async () => {
    const slow = await client();
    slow.write(
      HEAD('/v1/chat/completions', [
        `Authorization: Bearer ${CLIENT_KEY}`,
        'Content-Type: application/json',
        'Content-Length: 1000',
      ]),
    );
    const trickle = setInterval(() => slow.write(' '), 100);
    try {
      await within(5_000, slow.closed, 'the connection closed');
    } finally {
      clearInterval(trickle);
    }
    expect(statusOf(slow.received())).toBe(408);
    expect(errorOf(slow.received()).message).toContain('REQUEST_TIMEOUT_MS');
  });

  it.each([
    ['401 (no valid key)', 'Bearer not-a-key', 401],
    ['413 (declared too large)', `Bearer ${CLIENT_KEY}`, 413],
    ['401 on the Web adapter path (a percent-escape in the path)', 'Bearer not-a-key', 401],
  ])(
    'closes the connection after a %s instead of draining a body nobody wants',
    async (what, authorization, status) => {
      const sender = await client();
      const length = status === 413 ? 100 * 1024 * 1024 * 1024 : 50 * 1024 * 1024;
      const path = what.includes('Web adapter') ? '/v1/audio/transcriptions%2Dx' : '/v1/audio/transcriptions';
      sender.write(HEAD(path, [`Authorization: ${authorization}`, `Content-Length: ${length}`]));
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const feed = setInterval(() => sender.write(chunk), 20);
      try {
        await within(5_000, sender.closed, 'the connection closed');
      } finally {
        clearInterval(feed);
      }
      expect(statusOf(sender.received())).toBe(status);
      // The Web adapter (@hono/node-server) writes its own headers, and closes such a connection itself.
      if (!what.includes('Web adapter'))
        expect(sender.received().toLowerCase()).toContain('connection: close');
    },
  );

  it('answers 503 (Retry-After, Connection: close) to a connection past MAX_CONNECTIONS, and serves again after', async () => {
    const idle = [await client(), await client(), await client(), await client()];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const extra = await client();
    extra.write(['GET /health HTTP/1.1', 'Host: gateway.test', '', ''].join('\r\n'));
    await within(4_000, extra.closed, 'the extra connection closed');
    expect(statusOf(extra.received())).toBe(503);
    expect(extra.received()).toContain('Retry-After: 1');
    expect(extra.received()).toContain('Connection: close');
    expect(errorOf(extra.received()).code).toBe('too_many_connections');
    expect(errorOf(extra.received()).message).toContain('MAX_CONNECTIONS');
    for (const socket of idle) socket.socket.destroy();
    await Promise.all(idle.map((socket) => socket.closed));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });
});
