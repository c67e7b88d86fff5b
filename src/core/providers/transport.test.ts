import { describe, expect, it } from 'vitest';
import { listSource } from '../../../test/fixtures/scripted-source.js';
import { createAbortLatch } from '../resilience/abort-latch.js';
import { DecodedBodyTooLargeError, limitDecoded } from './decoded-limit.js';
import { fetchTransport, UnsupportedEncodingError } from './transport.js';

/** A fetch that answers every call with `body` under `headers`, as a runtime's fetch hands it on. */
function answering(body: string, headers: Record<string, string>) {
  const calls: RequestInit[] = [];
  const transport = fetchTransport(async (_url, init) => {
    calls.push(init);
    return new Response(body, { headers });
  });
  const send = (maxDecodedBytes = 1024) =>
    transport('https://a.example/v1/x', {
      method: 'GET',
      headers: new Headers(),
      body: undefined,
      signal: createAbortLatch().signal,
      maxDecodedBytes,
    });
  return { send, calls };
}

async function readAll(reader: { read(): Promise<ReadableStreamReadResult<Uint8Array>> }): Promise<string> {
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += new TextDecoder().decode(value);
  }
}

describe('fetchTransport and Content-Encoding', () => {
  it('passes an answer without Content-Encoding on as it is', async () => {
    const headers = { 'content-type': 'application/json', 'content-length': '7' };
    const answer = await answering('{"a":1}', headers).send();
    expect(answer.headers.get('content-length')).toBe('7');
    expect(await readAll(answer.body as never)).toBe('{"a":1}');
  });

  it.each(['gzip', 'br', ' GZIP '])(
    'takes an answer in %j as decoded by fetch: no Content-Encoding or Content-Length left',
    async (coding) => {
      const headers = { 'content-type': 'text/plain', 'content-encoding': coding, 'content-length': '3' };
      const answer = await answering('decoded text', headers).send();
      expect(answer.headers.get('content-encoding')).toBeNull();
      expect(answer.headers.get('content-length')).toBeNull();
      const listed: string[] = [];
      answer.headers.forEach((_value, name) => {
        listed.push(name);
      });
      expect(listed).toEqual(['content-type']);
      expect(await readAll(answer.body as never)).toBe('decoded text');
    },
  );

  it.each(['gzip, br', 'zstd', 'compress', 'br, gzip', 'deflate', 'x-gzip'])(
    'fails the attempt for %j, which fetch may or may not have decoded',
    async (coding) => {
      const { send } = answering('bytes', { 'content-encoding': coding });
      await expect(send()).rejects.toBeInstanceOf(UnsupportedEncodingError);
    },
  );

  it('fails the body once the decoded bytes pass maxDecodedBytes', async () => {
    const { send } = answering('x'.repeat(5000), { 'content-encoding': 'gzip' });
    const answer = await send(1000);
    await expect(readAll(answer.body as never)).rejects.toBeInstanceOf(DecodedBodyTooLargeError);
  });
});

describe('limitDecoded', () => {
  it('hands every chunk on up to the cap, then fails and cancels the source', async () => {
    const source = listSource(['aaaa', 'bbbb', 'cccc']);
    const reader = limitDecoded(source.reader, 8);
    expect((await reader.read()).value?.byteLength).toBe(4);
    expect((await reader.read()).value?.byteLength).toBe(4);
    await expect(reader.read()).rejects.toBeInstanceOf(DecodedBodyTooLargeError);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(source.state.cancelled).toBe(true);
  });

  it('names the setting in its message', () => {
    expect(new DecodedBodyTooLargeError(8).message).toContain('MAX_DECODED_BODY_BYTES');
  });
});
