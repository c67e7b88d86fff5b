// The Node floor: a bare reverse proxy on node:http with a keep-alive agent, nothing else. Forwards every
// request to $UPSTREAM_URL and pipes both bodies through. Listens on 127.0.0.1:$PORT (0 = any free port) and
// prints `listening on http://127.0.0.1:<port>` when ready.
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.env.UPSTREAM_URL ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, noDelay: true });
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te'];

/** @param {import('node:http').IncomingHttpHeaders} headers */
function endToEnd(headers) {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const headers = endToEnd(req.headers);
  headers.host = upstream.host;
  const outgoing = request(
    { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
    },
  );
  outgoing.on('error', () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502).end();
  });
  // A client that goes away aborts the upstream request.
  res.once('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  req.pipe(outgoing);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`bare proxy listening on http://127.0.0.1:${address.port}`);
});

const parent = process.ppid;
const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
// Never outlive the benchmark runner, even if it was killed with SIGKILL.
setInterval(() => process.ppid !== parent && shutdown(), 1000).unref();
