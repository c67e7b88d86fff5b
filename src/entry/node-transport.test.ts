import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LightHeaders } from '../core/index.js';
import { clientResponseHeaders } from '../core/proxy/headers.js';
import { parsedHeaders, undiciTransport } from './node-transport.js';

describe('parsedHeaders (undici answer headers as the core reads them)', () => {
  it('reads a field, null for one that is absent, and a repeated field joined with ", "', () => {
    const headers = parsedHeaders({ 'content-type': 'application/json', vary: ['Origin', 'Accept'] });
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('vary')).toBe('Origin, Accept');
    expect(headers.get('retry-after')).toBeNull();
  });

  it('does not find Object properties as fields', () => {
    const headers = parsedHeaders({ 'content-type': 'text/plain' });
    expect(headers.get('constructor')).toBeNull();
    expect(headers.get('__proto__')).toBeNull();
  });

  it('visits every field once, in order, with joined values', () => {
    const seen: [string, string][] = [];
    parsedHeaders({ a: '1', 'set-cookie': ['x=1', 'y=2'], b: '2' }).forEach((value, name) => {
      seen.push([name, value]);
    });
    expect(seen).toEqual([
      ['a', '1'],
      ['set-cookie', 'x=1, y=2'],
      ['b', '2'],
    ]);
  });

  it.each([
    ['a replacement character from stray bytes', 'text/plain\uFFFD'],
    ['a line break', 'a\r\nx-injected: 1'],
    ['a NUL', 'a\u0000b'],
  ])('refuses a value with %s, as a Web Headers does', (_, value) => {
    expect(() => parsedHeaders({ 'x-odd': value })).toThrow(TypeError);
    expect(() => new Headers({ 'x-odd': value })).toThrow(TypeError);
  });

  it('accepts tabs and bytes above 0x7f, which HTTP allows (obs-text)', () => {
    expect(parsedHeaders({ 'x-name': 'caf\u00e9\tau lait' }).get('x-name')).toBe('caf\u00e9\tau lait');
  });

  it('is what the core filters for the client: hop-by-hop, cookies and a decoded body length dropped', () => {
    const upstream = parsedHeaders({
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': '120',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'set-cookie': ['a=1', 'b=2'],
      'x-request-id': 'up-1',
    });
    expect([...clientResponseHeaders(upstream)]).toEqual([
      ['content-type', 'application/json'],
      ['x-request-id', 'up-1'],
    ]);
  });
});

describe('undiciTransport', () => {
  it('fails on an answer header no HTTP answer may carry, and frees the connection', async () => {
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const server = createServer((socket) => {
      socket.once('data', () => {
        // 0xff is not UTF-8: undici reads it as U+FFFD. The body never ends on its own.
        socket.write(
          Buffer.concat([
            Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-odd: caf'),
            Buffer.from([0xff]),
            Buffer.from('\r\ncontent-length: 100\r\n\r\n{"partial":'),
          ]),
        );
      });
      socket.once('close', closed);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const transport = undiciTransport();
      const signal = { aborted: false, addEventListener() {}, removeEventListener() {} };
      await expect(
        transport(`http://127.0.0.1:${port}/v1/models`, {
          method: 'GET',
          headers: new LightHeaders(),
          body: undefined,
          signal,
        }),
      ).rejects.toThrow(TypeError);
      await socketClosed;
    } finally {
      server.close();
    }
  });
});
