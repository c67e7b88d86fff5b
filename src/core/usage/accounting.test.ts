import { describe, expect, it } from 'vitest';
import type { RequestRecord, Usage } from '../exchange/request-record.js';
import { createAccounting } from './accounting.js';
import { prometheusText } from './prometheus-text.js';
import { costOf, createUsageLedger } from './usage-ledger.js';

const usage: Usage = {
  inputTokens: 1000,
  outputTokens: 500,
  cachedTokens: 400,
  reasoningTokens: 100,
  estimated: false,
};
const record = (fields: Partial<RequestRecord>): RequestRecord => ({
  id: 'r',
  start: 1000,
  attempts: 1,
  ...fields,
});

describe('costOf', () => {
  it('bills cached input at its own price, the rest of the input and the output at theirs (USD per million)', () => {
    expect(costOf(usage, { input: 2, cachedInput: 1, output: 10 })).toBeCloseTo(
      (600 * 2 + 400 * 1 + 500 * 10) / 1e6,
      12,
    );
    expect(costOf(usage, { input: 2, output: 10 })).toBeCloseTo((1000 * 2 + 500 * 10) / 1e6, 12);
  });
});

describe('createAccounting', () => {
  it('totals per key, model label and provider; a model the configuration does not name is "other"', () => {
    const ledger = createUsageLedger();
    const account = createAccounting({
      ledger,
      modelNames: ['gpt-4o'],
      prices: { 'gpt-4o': { input: 2, output: 10 } },
    });
    const done = { status: 200, outcome: 'complete' as const, durationMs: 120 };
    expect(account(record({ key: 'a', model: 'gpt-4o', provider: 'p', usage }), done)).toBeCloseTo(0.007, 12);
    expect(
      account(record({ key: 'a', model: 'made-up-by-a-client', provider: 'p', usage }), done),
    ).toBeUndefined();
    account(record({ key: 'b', provider: 'p' }), { status: 502, outcome: undefined, durationMs: 5 });
    account(record({ key: 'b', model: 'gpt-4o', provider: 'q', usage, stream: true, firstByteAt: 1300 }), {
      status: 200,
      outcome: 'cancelled',
      durationMs: 900,
    });
    expect([...ledger.byModel.keys()].sort()).toEqual(['gpt-4o', 'none', 'other']);
    expect(ledger.byKey.get('a')).toEqual({
      requests: 2,
      errors: 0,
      inputTokens: 2000,
      outputTokens: 1000,
      cachedTokens: 800,
      reasoningTokens: 200,
      costUsd: 0.007,
    });
    expect(ledger.byKey.get('b')).toMatchObject({ requests: 2, errors: 2, inputTokens: 1000 });
    expect(ledger.byProvider.get('q')).toMatchObject({ requests: 1, errors: 1 });
    expect(ledger.firstTokens.size).toBe(1);

    const text = prometheusText({
      ledger,
      priced: true,
      providers: [{ id: 'p', attempts: 3, failures: 1, breaker: 'open' }],
    });
    expect(text).toContain('gateway_requests_total{provider="p",model="other",status="200"} 1');
    expect(text).toContain('gateway_requests_total{provider="p",model="none",status="502"} 1');
    expect(text).toContain(
      'gateway_tokens_total{key="a",model="gpt-4o",provider="p",type="cached_input"} 400',
    );
    expect(text).toContain('gateway_cost_usd_total{key="a",model="gpt-4o",provider="p"} 0.007');
    expect(text).toContain(
      'gateway_time_to_first_token_seconds_bucket{provider="q",model="gpt-4o",le="0.5"} 1',
    );
    expect(text).toContain(
      'gateway_time_to_first_token_seconds_bucket{provider="q",model="gpt-4o",le="0.25"} 0',
    );
    expect(text).toContain('gateway_request_duration_seconds_count{provider="p",model="gpt-4o"} 1');
    expect(text).toContain('gateway_provider_breaker_state{provider="p",state="open"} 1');
    expect(text).not.toContain('made-up-by-a-client');
  });
});
