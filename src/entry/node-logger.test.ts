import { describe, expect, it } from 'vitest';
import { batchedStdoutLogger } from './node-logger.js';

const text = (chunk: Uint8Array) => new TextDecoder().decode(chunk);

/** A logger whose writes are decoded into `writes` (and so done with at once). */
function collecting(options: { flushMs: number; maxPending?: number }) {
  const writes: string[] = [];
  const logger = batchedStdoutLogger({
    ...options,
    write: (chunk) => {
      writes.push(text(chunk));
      return true;
    },
  });
  return { logger, writes };
}

describe('batchedStdoutLogger', () => {
  it('writes the lines gathered within flushMs in one write, one JSON object per line, time first', async () => {
    const { logger, writes } = collecting({ flushMs: 30 });
    logger({ level: 'info', msg: 'request', status: 200, path: '/v1/x "quoted"' });
    await new Promise((resolve) => setImmediate(resolve));
    logger({ level: 'error', msg: 'second' });
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes).toHaveLength(1);
    const lines = (writes[0] as string).split('\n');
    expect(lines.pop()).toBe('');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toMatchObject([
      { level: 'info', msg: 'request', status: 200, path: '/v1/x "quoted"' },
      { level: 'error', msg: 'second' },
    ]);
    for (const record of records) {
      expect(Object.keys(record)[0]).toBe('time');
      expect(Date.parse(record.time as string)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('writes what is pending at once when the next line would not fit in maxPending bytes', () => {
    const { logger, writes } = collecting({ flushMs: 60_000, maxPending: 200 });
    logger({ level: 'info', msg: 'first' });
    logger({ level: 'info', msg: 'second' });
    expect(writes).toHaveLength(0);
    logger({ level: 'info', msg: 'x'.repeat(100) });
    expect(writes).toHaveLength(1);
    expect((writes[0] as string).split('\n').map((line) => line && JSON.parse(line).msg)).toEqual([
      'first',
      'second',
      '',
    ]);
    logger.flush();
    expect(JSON.parse(writes[1] as string).msg).toBe('x'.repeat(100));
  });

  it('writes a line longer than maxPending on its own, whole', () => {
    const { logger, writes } = collecting({ flushMs: 60_000, maxPending: 64 });
    logger({ level: 'info', msg: 'a' });
    logger({ level: 'info', msg: 'é'.repeat(300) });
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[0] as string).msg).toBe('a');
    expect(JSON.parse(writes[1] as string).msg).toBe('é'.repeat(300));
    logger.flush();
    expect(writes).toHaveLength(2);
  });

  it('keeps multi-byte text whole across flushes (UTF-8 bytes counted, not characters)', () => {
    const chunks: Uint8Array[] = [];
    const logger = batchedStdoutLogger({
      // Kept, not copied: the logger must not write over what it handed over.
      write: (chunk) => {
        chunks.push(chunk);
        return false;
      },
      flushMs: 60_000,
      maxPending: 256,
    });
    const messages = Array.from({ length: 40 }, (_, i) => `${'日本😀'.repeat(i % 7)} ${i}`);
    for (const msg of messages) logger({ level: 'info', msg });
    logger.flush();
    for (const chunk of chunks) expect(chunk.byteLength).toBeLessThanOrEqual(256);
    // Every chunk ends a line, and the handed-over chunks are not overwritten by later lines.
    const lines = chunks.flatMap((chunk) => text(chunk).split('\n').filter(Boolean));
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(messages);
  });

  it('flush() writes what is pending at once (used at exit), and nothing when nothing is', () => {
    const { logger, writes } = collecting({ flushMs: 60_000 });
    logger({ level: 'warn', msg: 'bye' });
    logger.flush();
    expect(writes).toHaveLength(1);
    logger.flush();
    expect(writes).toHaveLength(1);
  });

  it('writes the next lines over the same memory when the writer is done with it, and never over one it kept', () => {
    const buffers: ArrayBufferLike[] = [];
    let keep = false;
    const logger = batchedStdoutLogger({
      write: (chunk) => {
        buffers.push(chunk.buffer);
        return !keep;
      },
      flushMs: 60_000,
    });
    logger({ level: 'info', msg: 'one' });
    logger.flush();
    logger({ level: 'info', msg: 'two' });
    logger.flush();
    expect(buffers[1]).toBe(buffers[0]);
    keep = true;
    logger({ level: 'info', msg: 'three' });
    logger.flush();
    logger({ level: 'info', msg: 'four' });
    logger.flush();
    expect(buffers[2]).toBe(buffers[0]);
    expect(buffers[3]).not.toBe(buffers[2]);
  });
});
