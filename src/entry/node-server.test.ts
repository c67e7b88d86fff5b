import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));

// In a process of its own, on the built files (`npm test` builds first): whether Hono's Web adapter has been
// loaded shows in the globals, as it puts its own Response in place of Node's (a getter until then).
const SCRIPT = `
import { createServer, request } from 'node:http';
import { parseConfig } from ${JSON.stringify(dist('core/index.js'))};
import { startNodeServer } from ${JSON.stringify(dist('entry/node-server.js'))};
const upstream = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"object":"chat.completion"}');
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const server = await startNodeServer({
  config: parseConfig({
    DEFAULT_OPENAI_PROVIDER: 'http://127.0.0.1:' + upstream.address().port,
    PROXY_API_KEYS: 'k',
    HOST: '127.0.0.1',
    PORT: '0',
  }),
  logger: () => {},
});
const send = (method, path) =>
  new Promise((resolve, reject) => {
    const req = request(server.url + path, { method, headers: { authorization: 'Bearer k', 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{"model":"m","messages":[]}' : undefined);
  });
const loaded = () => 'value' in Object.getOwnPropertyDescriptor(globalThis, 'Response');
const seen = [];
for (const [method, path] of [['POST', '/v1/chat/completions'], ['GET', '/health'], ['HEAD', '/health'], ['GET', '/stats'], ['GET', '/health']]) {
  seen.push([method, path, await send(method, path), loaded()]);
}
console.log(JSON.stringify(seen));
await server.close();
upstream.close();
`;

describe('startNodeServer', () => {
  it('answers /v1/* and /health without loading the Web adapter, and loads it for the first other route', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual([
      ['POST', '/v1/chat/completions', 200, false],
      ['GET', '/health', 200, false],
      ['HEAD', '/health', 200, false],
      ['GET', '/stats', 200, true],
      ['GET', '/health', 200, true],
    ]);
  }, 60_000);
});
