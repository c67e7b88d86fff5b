import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { readUsage } from './read-usage.js';
import { MAX_LINE_BYTES, StreamUsage } from './stream-usage.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface GeneratedEvent {
  text: string;
  /** The usage-only chunk, which removal takes out. */
  usageOnly: boolean;
  usage?: unknown;
  data: boolean;
}

/** A random chat-completions-like stream: content chunks (some with usage, some with "usage":null), comments, a usage-only chunk, [DONE]. */
function randomStream(random: () => number): GeneratedEvent[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const eol = () => (random() < 0.5 ? '\n' : '\r\n');
  const words = ['Hello', ' "usage": 5', 'ünï', '\\', '"', 'usage"', '{}', 'data: x', '\n', 'caché 🎉'];
  const usageObject = () => ({
    prompt_tokens: Math.floor(random() * 1000),
    completion_tokens: Math.floor(random() * 1000),
    total_tokens: 0,
    ...(random() < 0.5 ? { prompt_tokens_details: { cached_tokens: Math.floor(random() * 100) } } : {}),
    ...(random() < 0.5
      ? { completion_tokens_details: { reasoning_tokens: Math.floor(random() * 100) } }
      : {}),
  });
  const events: GeneratedEvent[] = [];
  const count = Math.floor(random() * 8);
  const withNull = random() < 0.5;
  for (let i = 0; i < count; i++) {
    if (random() < 0.15) {
      events.push({ text: `: keep-alive${eol()}${eol()}`, usageOnly: false, data: false });
      continue;
    }
    const usage = i === count - 1 && random() < 0.3 ? usageObject() : withNull ? null : undefined;
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      model: 'm',
      choices: [{ index: 0, delta: { content: pick(words) + pick(words) }, finish_reason: null }],
      ...(usage === undefined ? {} : { usage }),
    };
    const space = random() < 0.8 ? ' ' : '';
    events.push({
      text: `data:${space}${JSON.stringify(chunk)}${eol()}${eol()}`,
      usageOnly: false,
      usage,
      data: true,
    });
  }
  if (random() < 0.7) {
    const usage = usageObject();
    const chunk = { id: 'c', object: 'chat.completion.chunk', model: 'served', choices: [], usage };
    events.push({
      text: `data: ${JSON.stringify(chunk)}${eol()}${eol()}`,
      usageOnly: true,
      usage,
      data: true,
    });
  }
  if (random() < 0.9) events.push({ text: `data: [DONE]${eol()}${eol()}`, usageOnly: false, data: false });
  return events;
}

/** The bytes cut at random places (a CRLF may be split), as a network delivers them. */
function randomChunks(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(random() * (random() < 0.3 ? 4 : 120));
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}

function run(chunks: readonly Uint8Array[], removeUsageChunk: boolean) {
  const watch = new StreamUsage({ removeUsageChunk });
  const out = chunks.map((chunk) => decoder.decode(watch.filter(chunk), { stream: true }));
  out.push(decoder.decode(watch.flush()));
  return { watch, text: out.join('') };
}

describe('StreamUsage against its text definition', () => {
  it('on 3000 seeded random streams: the last reported usage, the stream untouched or without its usage-only chunk', () => {
    const random = mulberry32(1818);
    for (let round = 0; round < 3000; round++) {
      const events = randomStream(random);
      const whole = events.map((event) => event.text).join('');
      const chunks = randomChunks(encoder.encode(whole), random);
      const reported = events.filter((event) => event.usage !== undefined && event.usage !== null).at(-1);
      const expectedUsage = reported === undefined ? undefined : readUsage(reported.usage);
      const dataLines = events.filter((event) => event.data && !event.usageOnly).length;

      const kept = run(chunks, false);
      expect(kept.text).toBe(whole);
      expect(kept.watch.usage).toEqual(expectedUsage);
      expect(kept.watch.dataLines).toBe(dataLines);

      const removed = run(chunks, true);
      expect(removed.text).toBe(
        events
          .filter((event) => !event.usageOnly)
          .map((event) => event.text)
          .join(''),
      );
      expect(removed.watch.usage).toEqual(expectedUsage);
      if (reported?.usageOnly) expect(removed.watch.model).toBe('served');
    }
  });

  it('hands each chunk on as it is (the same object) when nothing is removed and no line is split', () => {
    const watch = new StreamUsage({ removeUsageChunk: true });
    const chunk = encoder.encode('data: {"choices":[{"delta":{"content":"hi"}}],"usage":null}\n\n');
    expect(watch.filter(chunk)).toBe(chunk);
  });

  it('holds no line past MAX_LINE_BYTES: a longer one goes on as it comes, in order, and the stream stays intact', () => {
    const watch = new StreamUsage({ removeUsageChunk: true });
    const piece = encoder.encode(`data: {"choices":[{"delta":{"content":"${'x'.repeat(16 * 1024)}`);
    const tail = encoder.encode(
      '"}}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\n',
    );
    const out: Uint8Array[] = [];
    let sent = 0;
    let fed = 0;
    while (fed <= 2 * MAX_LINE_BYTES) {
      const chunk = watch.filter(piece);
      out.push(chunk);
      sent += chunk.byteLength;
      fed += piece.byteLength;
    }
    // Held at most one line's cap: everything past it has gone on already.
    expect(fed - sent).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(sent).toBeGreaterThan(MAX_LINE_BYTES);
    out.push(watch.filter(tail), watch.flush());
    const text = decoder.decode(Buffer.concat(out));
    const expected = decoder.decode(
      Buffer.concat([...Array.from({ length: fed / piece.byteLength }, () => piece)]),
    );
    // The long line whole and in order; the usage-only chunk the gateway asked for still cut, its usage read.
    expect(text).toBe(`${expected}"}}]}\n\n`);
    expect(watch.usage).toMatchObject({ inputTokens: 1, outputTokens: 2 });
  });

  it('reads the Responses API usage in response.completed', () => {
    const watch = new StreamUsage({ removeUsageChunk: false });
    const completed = {
      type: 'response.completed',
      response: {
        id: 'resp_1',
        model: 'gpt-4.1',
        usage: {
          input_tokens: 12,
          input_tokens_details: { cached_tokens: 4 },
          output_tokens: 30,
          output_tokens_details: { reasoning_tokens: 20 },
          total_tokens: 42,
        },
      },
    };
    const text = `event: response.created\ndata: {"type":"response.created","response":{"usage":null}}\n\nevent: response.completed\ndata: ${JSON.stringify(completed)}\n\n`;
    expect(decoder.decode(watch.filter(encoder.encode(text)))).toBe(text);
    expect(watch.usage).toEqual({
      inputTokens: 12,
      outputTokens: 30,
      cachedTokens: 4,
      reasoningTokens: 20,
      estimated: false,
    });
    expect(watch.model).toBe('gpt-4.1');
  });
});
