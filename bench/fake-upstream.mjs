// A fast fake OpenAI-compatible provider for the benchmark: small JSON chat completions (with usage), and SSE
// streams of N chunks M ms apart (the last with finish_reason "stop", then a usage chunk when the request asks
// for it, as OpenAI sends them), each chunk carrying the time it was sent (`bench_sent_at`, epoch milliseconds
// with sub-millisecond precision, comparable across processes). Listens on 127.0.0.1:$PORT (0 = any free port) and
// prints `listening on http://127.0.0.1:<port>` when ready.
import { createServer } from 'node:http';

const MAX_CHUNKS = 10_000;
const MAX_INTERVAL_MS = 10_000;

/** Epoch milliseconds with sub-millisecond precision, comparable with other processes on this machine. */
const now = () => performance.timeOrigin + performance.now();

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello! How can I help you today?' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
});
const COMPLETION_HEADERS = {
  'content-type': 'application/json',
  'content-length': Buffer.byteLength(COMPLETION),
};

/**
 * Reads an integer field such as `"bench_chunks":20` without parsing the whole body (keeps the upstream cheap).
 * @param {string} body
 * @param {string} field
 * @param {number} fallback
 * @param {number} max
 */
function intField(body, field, fallback, max) {
  const match = new RegExp(`"${field}"\\s*:\\s*(\\d+)`).exec(body);
  return match ? Math.min(Number(match[1]), max) : fallback;
}

/**
 * The usage-only chunk of a stream whose request asked for it (`stream_options.include_usage`), as OpenAI sends
 * it: no choices, the usage of the whole answer.
 * @param {number} chunks
 */
const usageChunk = (chunks) =>
  `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model",` +
  `"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${chunks},"total_tokens":${12 + chunks}}}\n\n`;

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} chunks
 * @param {number} intervalMs
 * @param {boolean} includeUsage
 */
function stream(res, chunks, intervalMs, includeUsage) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const start = performance.now();
  let sent = 0;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const tick = () => {
    if (res.destroyed) return;
    const chunk =
      `{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model",` +
      `"choices":[{"index":0,"delta":{"content":"token${sent} "},"finish_reason":${sent + 1 >= chunks ? '"stop"' : 'null'}}],` +
      `"bench_sent_at":${now()}}`;
    res.write(`data: ${chunk}\n\n`);
    sent += 1;
    if (sent >= chunks) {
      res.end(includeUsage ? `${usageChunk(chunks)}data: [DONE]\n\n` : 'data: [DONE]\n\n');
      return;
    }
    // Scheduled against the stream's start, so that timer lateness does not accumulate.
    timer = setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
  };
  res.once('close', () => clearTimeout(timer));
  tick();
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  /** @type {Buffer[]} */
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    const body = Buffer.concat(parts).toString('utf8');
    if (/"stream"\s*:\s*true/.test(body)) {
      stream(
        res,
        Math.max(1, intField(body, 'bench_chunks', 20, MAX_CHUNKS)),
        intField(body, 'bench_interval_ms', 50, MAX_INTERVAL_MS),
        /"include_usage"\s*:\s*true/.test(body),
      );
    } else {
      res.writeHead(200, COMPLETION_HEADERS);
      res.end(COMPLETION);
    }
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`fake upstream listening on http://127.0.0.1:${address.port}`);
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
