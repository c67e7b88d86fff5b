import type { BodyOutcome, RequestRecord } from '../exchange/request-record.js';
import { costOf, type ModelPrice, type UsageLedger } from './usage-ledger.js';

/** The label of a request that names no model. */
export const NO_MODEL = 'none';
/** The label of a model the configuration does not name: clients cannot grow the label set. */
export const OTHER_MODEL = 'other';

export interface AccountingOptions {
  ledger: UsageLedger;
  /** Every model name the configuration spells out (globs aside): the only model labels besides `other`. */
  modelNames: readonly string[];
  /** Per model, its prices; empty when no price table is configured. */
  prices: Readonly<Record<string, ModelPrice>>;
}

/** Counts one finished `/v1/*` request; returns its cost in USD when its model has a price. */
export type Account = (
  record: RequestRecord,
  summary: { status: number; outcome: BodyOutcome | undefined; durationMs: number },
) => number | undefined;

/**
 * Turns a finished request's record into the ledger's entry: the model as a bounded label, the cost from the
 * price table (the served model's price, else the requested model's), failure as an error status or a body
 * that did not complete.
 *
 * @example
 * const account = createAccounting({ ledger, modelNames: ['gpt-4o'], prices: {} });
 * account(record, { status: 200, outcome: 'complete', durationMs: 812 });
 */
export function createAccounting(options: AccountingOptions): Account {
  const { ledger, prices } = options;
  const names = new Set(options.modelNames);
  const priced = Object.keys(prices).length > 0;
  const labelOf = (model: string | undefined) =>
    model === undefined ? NO_MODEL : names.has(model) ? model : OTHER_MODEL;
  const priceOf = (model: string | undefined) =>
    model !== undefined && Object.hasOwn(prices, model) ? prices[model] : undefined;
  return function account(record, summary) {
    const price = priced ? (priceOf(record.servedModel) ?? priceOf(record.model)) : undefined;
    const costUsd =
      price !== undefined && record.usage !== undefined ? costOf(record.usage, price) : undefined;
    ledger.add({
      key: record.key,
      model: labelOf(record.model),
      provider: record.provider ?? 'none',
      status: summary.status,
      failed: summary.status >= 400 || (summary.outcome !== undefined && summary.outcome !== 'complete'),
      usage: record.usage,
      costUsd,
      durationMs: summary.durationMs,
      firstTokenMs:
        record.stream === true && record.firstByteAt !== undefined
          ? record.firstByteAt - record.start
          : undefined,
    });
    return costUsd;
  };
}
