import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readerOf } from './node-body-reader.js';

const text = (chunk: Uint8Array | undefined) => Buffer.from(chunk ?? []).toString();

describe('readerOf', () => {
  it('reads the chunks of a Node stream, then done', async () => {
    const stream = new PassThrough();
    const reader = readerOf(stream);
    stream.write('a');
    stream.end('b');
    const seen: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(text(value));
    }
    expect(seen.join('')).toBe('ab');
  });

  it('lets go of the stream once it has ended, and an error after that is not thrown', async () => {
    const stream = new PassThrough();
    const reader = readerOf(stream);
    stream.end('x');
    expect(text((await reader.read()).value)).toBe('x');
    expect((await reader.read()).done).toBe(true);
    expect(stream.listenerCount('data')).toBe(0);
    expect(stream.listenerCount('close')).toBe(0);
    expect(() => stream.emit('error', new Error('reset after the end'))).not.toThrow();
  });

  it('fails a read when the stream breaks or closes before its end', async () => {
    const broken = new PassThrough();
    const brokenReader = readerOf(broken);
    broken.destroy(new Error('cut'));
    await expect(brokenReader.read()).rejects.toThrow('cut');
    const closed = new PassThrough();
    const closedReader = readerOf(closed);
    closed.destroy();
    await expect(closedReader.read()).rejects.toThrow('body closed early');
  });

  it('hands over a body that has ended whole with takeRest', async () => {
    const stream = new PassThrough();
    const reader = readerOf(stream);
    expect(reader.takeRest?.()).toBeUndefined();
    stream.end('whole');
    await new Promise((resolve) => stream.once('end', resolve));
    expect(reader.takeRest?.()?.map(text)).toEqual(['whole']);
    expect((await reader.read()).done).toBe(true);
  });
});
