import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../errors/gateway-error.js';
import { LightHeaders } from '../exchange/header-map.js';
import type { BodyOutcome, RequestRecord } from '../exchange/request-record.js';
import { createKeySlots } from './key-slots.js';

const record = (done?: Promise<BodyOutcome>): RequestRecord => ({ id: 'r', start: 0, attempts: 1, done });
const answer = (contentType: string, onCancel = () => {}) => ({
  status: 200,
  headers: new LightHeaders({ 'content-type': contentType }),
  body: { pull() {}, cancel: onCancel },
});

describe('createKeySlots', () => {
  it('gives the request slot back at once for an answer read whole', () => {
    const slots = createKeySlots({ maxRequests: 1, maxStreams: 1 });
    slots.enter('k');
    expect(() => slots.enter('k')).toThrow(RateLimitError);
    slots.hold('k', answer('application/json'), record());
    expect(() => slots.enter('k')).not.toThrow();
  });

  it('keeps both slots of a stream until its body ends, then gives each back once', async () => {
    const slots = createKeySlots({ maxRequests: 2, maxStreams: 1 });
    let end: (outcome: BodyOutcome) => void = () => {};
    const done = new Promise<BodyOutcome>((resolve) => {
      end = resolve;
    });
    slots.enter('k');
    slots.hold('k', answer('text/event-stream'), record(done));
    slots.enter('k');
    const cancelled = { count: 0 };
    const refused = answer('text/event-stream; charset=utf-8', () => {
      cancelled.count += 1;
    });
    expect(() => slots.hold('k', refused, record(new Promise(() => {})))).toThrow(/MAX_OPEN_STREAMS_PER_KEY/);
    expect(cancelled.count).toBe(1);
    end('cancelled');
    await done;
    await Promise.resolve();
    slots.enter('k');
    slots.enter('k');
    expect(() => slots.enter('k')).toThrow(/MAX_CONCURRENT_REQUESTS_PER_KEY/);
  });

  it('refuses with 429 rate_limit_exceeded and Retry-After: 1', () => {
    const slots = createKeySlots({ maxRequests: 1, maxStreams: 0 });
    slots.enter('k');
    let error: unknown;
    try {
      slots.enter('k');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      headers: { 'retry-after': '1' },
    });
    slots.leave('k');
    expect(() => slots.enter('k')).not.toThrow();
  });
});
