import { describe, expect, it } from 'vitest';
import { batchedStdoutLogger } from './node-logger.js';

describe('batchedStdoutLogger', () => {
  it('writes the lines of one event-loop turn in one write, one JSON object per line, time first', async () => {
    const writes: string[] = [];
    const logger = batchedStdoutLogger((text) => writes.push(text));
    logger({ level: 'info', msg: 'request', status: 200, path: '/v1/x "quoted"' });
    logger({ level: 'error', msg: 'second' });
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
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

  it('flush() writes what is pending at once (used at exit)', () => {
    const writes: string[] = [];
    const logger = batchedStdoutLogger((text) => writes.push(text));
    logger({ level: 'warn', msg: 'bye' });
    logger.flush();
    expect(writes).toHaveLength(1);
    logger.flush();
    expect(writes).toHaveLength(1);
  });
});
