import { describe, expect, it } from 'vitest';
import { batchedStdoutLogger } from './node-logger.js';

describe('batchedStdoutLogger', () => {
  it('writes the lines gathered within flushMs in one write, one JSON object per line, time first', async () => {
    const writes: string[] = [];
    const logger = batchedStdoutLogger({ write: (text) => writes.push(text), flushMs: 30 });
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

  it('writes at once when the pending text passes maxPending', () => {
    const writes: string[] = [];
    const logger = batchedStdoutLogger({
      write: (text) => writes.push(text),
      flushMs: 60_000,
      maxPending: 100,
    });
    logger({ level: 'info', msg: 'short' });
    expect(writes).toHaveLength(0);
    logger({ level: 'info', msg: 'x'.repeat(100) });
    expect(writes).toHaveLength(1);
    expect((writes[0] as string).split('\n')).toHaveLength(3);
  });

  it('flush() writes what is pending at once (used at exit), and nothing when nothing is', () => {
    const writes: string[] = [];
    const logger = batchedStdoutLogger({ write: (text) => writes.push(text), flushMs: 60_000 });
    logger({ level: 'warn', msg: 'bye' });
    logger.flush();
    expect(writes).toHaveLength(1);
    logger.flush();
    expect(writes).toHaveLength(1);
  });
});
