import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/core/index.js';
import { type FakeUpstream, replyJson, startFakeUpstream } from '../fixtures/fake-upstream.js';
import {
  CHAT_USAGE,
  chatStreamText,
  EMBEDDING_USAGE,
  RESPONSES_USAGE,
  responsesStreamText,
  usageUpstream,
} from '../fixtures/usage-upstream.js';
import { assertNoSecrets, responseText, TOKENS, targets } from './helpers.js';
import type { Target } from './targets.js';

const TEAM_KEY = 'sk-team-A-client-KEY-0001';
const PLAIN_KEY = 'plain-client-KEY-0002';
const ADMIN_KEY = 'admin-KEY-SECRET-0003';
const METRICS_KEY = 'metrics-KEY-SECRET-0004';
const SECRETS = [...Object.values(TOKENS), TEAM_KEY, PLAIN_KEY, ADMIN_KEY, METRICS_KEY];
const MODELS = [
  'fake-model',
  'ignores-usage',
  'usage-in-last',
  'cut',
  'slow',
  'fake-embedding',
  'resp-model',
];

/** promtool from PATH or Debian's prometheus package; undefined when it is not installed. */
function findPromtool(): string | undefined {
  for (const candidate of ['/usr/bin/promtool', '/usr/local/bin/promtool', '/bin/promtool']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const tokens = {
  chat: { inputTokens: 21, outputTokens: 13, cachedTokens: 5, reasoningTokens: 4 },
  responses: { inputTokens: 17, outputTokens: 11, cachedTokens: 3, reasoningTokens: 6 },
  embeddings: { inputTokens: 8, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 },
};

/** The Prometheus samples of one metric, as [labels, value]. */
function samples(text: string, name: string): [Record<string, string>, number][] {
  const found: [Record<string, string>, number][] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    found.push([labels, Number(match[3])]);
  }
  return found;
}

describe.each(targets)('usage, /stats and /metrics (%s)', (name, startTarget) => {
  let main: FakeUpstream;
  let flaky: FakeUpstream;
  let gateway: Target;
  let team: OpenAI;
  let plain: OpenAI;
  /** Every raw answer and stream a client got, for the secrets check. */
  let seen = '';

  beforeAll(async () => {
    main = await startFakeUpstream(usageUpstream);
    // Fails every time, with a usage object in its error body that must never be counted.
    flaky = await startFakeUpstream((_request, res) =>
      replyJson(res, 500, {
        error: { message: 'down' },
        usage: { prompt_tokens: 1000, completion_tokens: 1000 },
      }),
    );
    gateway = await startTarget({
      ADDITIONAL_PROVIDERS: JSON.stringify([
        { id: 'flaky', baseUrl: flaky.url, token: TOKENS.b, models: [...MODELS, 'gpt-*'] },
        { id: 'main', baseUrl: `${main.url}/inference`, token: TOKENS.a, models: [...MODELS, 'gpt-*'] },
      ]),
      PROXY_API_KEYS: `team-a:${TEAM_KEY},${PLAIN_KEY}`,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      METRICS_API_KEY: METRICS_KEY,
      BREAKER_FAILURE_THRESHOLD: '1000',
    });
    team = new OpenAI({ apiKey: TEAM_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    plain = new OpenAI({ apiKey: PLAIN_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await main.close();
    await flaky.close();
  });

  /** The request's log line, once the gateway wrote it (the Worker's come through workerd's stdout). */
  async function logLine(id: string | null): Promise<LogRecord> {
    for (let waited = 0; waited < 3000; waited += 20) {
      const line = gateway.logs.find((entry) => entry.requestId === id);
      if (line !== undefined) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no log line for ${id}`);
  }

  const post = (path: string, body: unknown, key = TEAM_KEY) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('counts a chat completion, names key, models and provider in its log line (openai package)', async () => {
    const { data, response } = await team.chat.completions
      .create({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.usage).toEqual(CHAT_USAGE);
    const line = await logLine(response.headers.get('x-request-id'));
    expect(line).toMatchObject({
      key: 'team-a',
      model: 'fake-model',
      servedModel: 'fake-model-2024',
      provider: 'main',
      status: 200,
      outcome: 'complete',
      ...tokens.chat,
      ttfbMs: expect.any(Number),
      durationMs: expect.any(Number),
      attempts: Number(response.headers.get('x-proxy-attempts')),
    });
    expect(line.usageEstimated).toBeUndefined();
  });

  it('asks for stream usage for a client that did not, and hands it the upstream bytes without the usage chunk', async () => {
    const response = await post('/v1/chat/completions', { model: 'fake-model', stream: true, messages: [] });
    const text = await response.text();
    seen += text;
    const sent = JSON.parse(main.requests.at(-1)?.body.toString('utf8') ?? '{}') as Record<string, unknown>;
    expect(sent.stream_options).toEqual({ include_usage: true });
    const upstreamText = chatStreamText(sent);
    expect(upstreamText).toContain('"choices":[]');
    // Byte for byte: the upstream's stream with its usage-only chunk (and that chunk's blank line) cut out.
    expect(text).toBe(upstreamText.replace(/data: \{[^\n]*"choices":\[\][^\n]*\r\n\r\n/, ''));
    expect(text).toBe(
      chatStreamText({ model: 'fake-model', stream_options: { include_usage: true } }).replace(
        /data: [^\n]*"choices":\[\][^\n]*\r\n\r\n/,
        '',
      ),
    );
    expect(await logLine(response.headers.get('x-request-id'))).toMatchObject({
      ...tokens.chat,
      outcome: 'complete',
      servedModel: 'fake-model',
    });
  });

  it('hands a client that asked for stream usage the stream untouched, usage chunk included (openai package)', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'fake-model',
      stream: true,
      stream_options: { include_usage: true },
      messages: [],
    });
    const text = await response.text();
    expect(text).toBe(chatStreamText({ model: 'fake-model', stream_options: { include_usage: true } }));
    const stream = await team.chat.completions.create({
      model: 'fake-model',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: unknown;
    let content = '';
    for await (const part of stream) {
      content += part.choices[0]?.delta.content ?? '';
      if (part.usage) usage = part.usage;
    }
    expect(content).toBe('Hello "usage": not!');
    expect(usage).toEqual(CHAT_USAGE);
    expect(await logLine(response.headers.get('x-request-id'))).toMatchObject(tokens.chat);
  });

  it('streams through the openai package without include_usage: no usage chunk reaches it, the usage is counted', async () => {
    const { data: stream, response } = await plain.chat.completions
      .create({ model: 'fake-model', messages: [], stream: true })
      .withResponse();
    const parts: unknown[] = [];
    for await (const part of stream) parts.push(part);
    expect(parts).toHaveLength(3);
    expect(parts.every((part) => (part as { choices: unknown[] }).choices.length === 1)).toBe(true);
    const line = await logLine(response.headers.get('x-request-id'));
    expect(line).toMatchObject({ ...tokens.chat, key: expect.stringMatching(/^key-[0-9a-f]{8}$/) });
  });

  it('takes usage from the last content chunk of a provider that puts it there', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'usage-in-last',
      stream: true,
      messages: [],
    });
    const text = await response.text();
    const sent = JSON.parse(main.requests.at(-1)?.body.toString('utf8') ?? '{}') as Record<string, unknown>;
    // Nothing to cut: no usage-only chunk came, the usage rode on a content chunk.
    expect(text).toBe(chatStreamText(sent));
    expect(await logLine(response.headers.get('x-request-id'))).toMatchObject({
      ...tokens.chat,
      outcome: 'complete',
    });
  });

  it('estimates, and says so, for a provider that ignores include_usage', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'ignores-usage',
      stream: true,
      messages: [],
    });
    const text = await response.text();
    expect(text).toBe(chatStreamText({ model: 'ignores-usage', stream_options: { include_usage: true } }));
    const line = await logLine(response.headers.get('x-request-id'));
    // Three content events; the request body's bytes / 4.
    expect(line).toMatchObject({ outputTokens: 3, usageEstimated: true, outcome: 'complete' });
    expect(line.inputTokens).toBe(
      Math.ceil(JSON.stringify({ model: 'ignores-usage', stream: true, messages: [] }).length / 4),
    );
  });

  it('marks a stream cut by the provider as failed, its usage estimated from what was delivered', async () => {
    const response = await post('/v1/chat/completions', { model: 'cut', stream: true, messages: [] });
    const text = await response.text();
    expect(text).toContain('upstream_stream_interrupted');
    const line = await logLine(response.headers.get('x-request-id'));
    expect(line).toMatchObject({ outcome: 'failed', outputTokens: 2, usageEstimated: true, cachedTokens: 0 });
  });

  // Node only: local workerd (Miniflare) reports a client disconnect to the Worker only intermittently (see
  // streaming.test.ts), so on workers this would test the local runtime, not the gateway.
  if (name === 'node') {
    it('marks a stream the client left as cancelled, its usage estimated from what was delivered', async () => {
      const controller = new AbortController();
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEAM_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', stream: true, messages: [] }),
        signal: controller.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let received = '';
      while (!received.includes('two ')) received += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      await reader.cancel().catch(() => {});
      const line = await logLine(response.headers.get('x-request-id'));
      expect(line).toMatchObject({ outcome: 'cancelled', outputTokens: 2, usageEstimated: true });
    });
  }

  it('reads the Responses API, plain and streamed (openai package)', async () => {
    const { data, response } = await team.responses
      .create({ model: 'resp-model', input: 'Hi' })
      .withResponse();
    expect(data.usage?.input_tokens).toBe(RESPONSES_USAGE.input_tokens);
    expect(await logLine(response.headers.get('x-request-id'))).toMatchObject({
      ...tokens.responses,
      servedModel: 'resp-model',
    });
    const streamed = await post('/v1/responses', { model: 'resp-model', input: 'Hi', stream: true });
    expect(await streamed.text()).toBe(responsesStreamText('resp-model'));
    expect(await logLine(streamed.headers.get('x-request-id'))).toMatchObject({
      ...tokens.responses,
      outcome: 'complete',
    });
    const stream = await team.responses.create({ model: 'resp-model', input: 'Hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
  });

  it('reads embeddings (openai package)', async () => {
    const { data, response } = await team.embeddings
      .create({ model: 'fake-embedding', input: 'x' })
      .withResponse();
    expect(data.usage).toEqual(EMBEDDING_USAGE);
    expect(await logLine(response.headers.get('x-request-id'))).toMatchObject(tokens.embeddings);
  });

  it('counts only the serving attempt after a failover', async () => {
    // The first request of the suite went to the failing provider first (round-robin starts with it): its
    // 500 carried a usage object of 1000 tokens, which must not count.
    const failedOver = gateway.logs.filter(
      (line) => line.msg === 'request' && (line.attempts as number) >= 2,
    );
    expect(failedOver.length).toBeGreaterThan(0);
    for (const line of failedOver) {
      expect(line.provider).toBe('main');
      expect(line.inputTokens).toBeLessThan(1000);
    }
    expect(failedOver[0]).toMatchObject({ ...tokens.chat, attempts: 2 });
    const response = await post('/v1/chat/completions', { model: 'gpt-unlisted', messages: [] });
    await response.arrayBuffer();
    expect(await logLine(response.headers.get('x-request-id'))).toMatchObject({
      ...tokens.chat,
      provider: 'main',
      model: 'gpt-unlisted',
    });
  });

  it('/stats: usage by key, model and provider; a client key sees only its own key and no base URLs', async () => {
    const asTeam = (await (
      await fetch(`${gateway.url}/stats`, { headers: { authorization: `Bearer ${TEAM_KEY}` } })
    ).json()) as {
      providers: Record<string, unknown>[];
      usage: {
        byKey: Record<string, Record<string, number>>;
        byModel: Record<string, unknown>;
        byProvider: Record<string, Record<string, number>>;
      };
    };
    expect(Object.keys(asTeam.usage.byKey)).toEqual(['team-a']);
    expect(asTeam.usage.byKey['team-a']).toMatchObject({
      requests: expect.any(Number),
      errors: expect.any(Number),
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
      cachedTokens: expect.any(Number),
      reasoningTokens: expect.any(Number),
    });
    expect(asTeam.usage.byModel).toHaveProperty('other');
    expect(asTeam.usage.byModel).not.toHaveProperty('gpt-unlisted');
    expect(asTeam.providers.every((provider) => !('baseUrl' in provider))).toBe(true);
    const asAdmin = (await (
      await fetch(`${gateway.url}/stats`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    ).json()) as typeof asTeam;
    expect(Object.keys(asAdmin.usage.byKey).sort()).toEqual(
      ['team-a', expect.stringMatching(/^key-[0-9a-f]{8}$/)].sort(),
    );
    expect(asAdmin.providers.map((provider) => provider.baseUrl)).toEqual([
      flaky.url,
      `${main.url}/inference`,
    ]);
    // Only the serving attempts' usage counts: nothing of the failing provider's 1000-token error bodies.
    expect(asAdmin.usage.byProvider.flaky).toBeUndefined();
    expect(asAdmin.usage.byProvider.main?.inputTokens).toBeLessThan(1000);
  });

  it('/metrics: 401 without its key, promtool-valid, counters equal to the sums of the log lines', async () => {
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${TEAM_KEY}` } })).status,
    ).toBe(401);
    // Every request so far has been logged before the counters are read.
    const proxied = () =>
      gateway.logs.filter((line) => line.msg === 'request' && String(line.path).startsWith('/v1/'));
    const expected = proxied().length;
    for (let waited = 0; waited < 3000 && proxied().length < expected; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    const response = await fetch(`${gateway.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_KEY}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    seen += text;
    const admin = await fetch(`${gateway.url}/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(admin.status).toBe(200);
    await admin.arrayBuffer();

    const lines = proxied();
    const requests = samples(text, 'gateway_requests_total');
    expect(requests.reduce((sum, [, value]) => sum + value, 0)).toBe(lines.length);
    expect(requests.some(([labels]) => labels.model === 'other')).toBe(true);
    expect(requests.some(([labels]) => labels.model === 'gpt-unlisted')).toBe(false);
    const kinds = {
      input: 'inputTokens',
      output: 'outputTokens',
      cached_input: 'cachedTokens',
      reasoning: 'reasoningTokens',
    };
    const tokenSamples = samples(text, 'gateway_tokens_total');
    for (const [type, field] of Object.entries(kinds)) {
      const fromMetrics = tokenSamples
        .filter(([labels]) => labels.type === type)
        .reduce((sum, [, value]) => sum + value, 0);
      const fromLogs = lines.reduce(
        (sum, line) => sum + (typeof line[field] === 'number' ? (line[field] as number) : 0),
        0,
      );
      expect(fromMetrics, type).toBe(fromLogs);
      expect(fromMetrics, type).toBeGreaterThan(0);
    }
    const teamInput = tokenSamples
      .filter(([labels]) => labels.key === 'team-a' && labels.type === 'input')
      .reduce((sum, [, value]) => sum + value, 0);
    expect(teamInput).toBe(
      lines
        .filter((line) => line.key === 'team-a')
        .reduce((sum, line) => sum + ((line.inputTokens as number) ?? 0), 0),
    );
    expect(text).toMatch(
      /^gateway_request_duration_seconds_bucket\{provider="main",model="fake-model",le="\+Inf"\} \d+$/m,
    );
    expect(text).toMatch(
      /^gateway_time_to_first_token_seconds_count\{provider="main",model="fake-model"\} \d+$/m,
    );
    expect(text).toMatch(/^gateway_provider_breaker_state\{provider="flaky",state="closed"\} 1$/m);
    expect(text).toMatch(/^gateway_upstream_attempts_total\{provider="flaky"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gateway_streams_in_flight 0$/m);
    expect(text).toMatch(/^gateway_requests_in_flight \d+$/m);

    const promtool = findPromtool();
    if (promtool === undefined) {
      // CI installs it (.ci/run); locally: apt-get install prometheus.
      throw new Error(
        'promtool not found: install the Debian package prometheus (apt-get install -y prometheus)',
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
    try {
      writeFileSync(join(dir, 'metrics.txt'), text);
      const output = execFileSync(
        'sh',
        ['-c', `"${promtool}" check metrics < "${join(dir, 'metrics.txt')}" 2>&1`],
        { encoding: 'utf8' },
      );
      expect(output.trim()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never shows a key, admin key, metrics key or provider token in any answer, stream, metric or log line', async () => {
    for (const [path, key] of [
      ['/stats', TEAM_KEY],
      ['/stats', ADMIN_KEY],
      ['/stats', PLAIN_KEY],
      ['/metrics', ADMIN_KEY],
      ['/health', TEAM_KEY],
    ] as const) {
      seen += await responseText(
        await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } }),
      );
    }
    seen += await responseText(
      await post('/v1/chat/completions', { model: 'fake-model', messages: [] }, PLAIN_KEY),
    );
    expect(seen).toContain('gateway_tokens_total');
    assertNoSecrets(seen, SECRETS);
    assertNoSecrets(JSON.stringify(gateway.logs), SECRETS);
    expect(name).toMatch(/node|workers/);
  });
});

describe('GET /metrics without METRICS_API_KEY or GATEWAY_ADMIN_KEY', () => {
  it.each(targets)('is 404 (%s); METRICS_API_KEY=* opens it', async (_name, startTarget) => {
    const closed = await startTarget({ PROXY_API_KEYS: PLAIN_KEY });
    try {
      const response = await fetch(`${closed.url}/metrics`, {
        headers: { authorization: `Bearer ${PLAIN_KEY}` },
      });
      expect(response.status).toBe(404);
    } finally {
      await closed.close();
    }
    const open = await startTarget({ PROXY_API_KEYS: PLAIN_KEY, METRICS_API_KEY: '*' });
    try {
      const response = await fetch(`${open.url}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('# TYPE gateway_requests_total counter');
    } finally {
      await open.close();
    }
  });
});
