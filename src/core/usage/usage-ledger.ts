import type { RequestRecord, Usage } from '../exchange/request-record.js';

/** One row of /stats' `usage`: what a key, a model or a provider used. */
export interface UsageTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd?: number;
}

/** Per million tokens, in USD. `cachedInput` defaults to `input`. */
export interface ModelPrice {
  readonly input: number;
  readonly cachedInput?: number | undefined;
  readonly output: number;
}

/** What one finished `/v1/*` request adds to the totals. */
export interface LedgerEntry {
  /** The client key's name; undefined when no key was accepted. */
  readonly key: string | undefined;
  /** The model label (see `modelLabel`): a configured name, `other` or `none`. */
  readonly model: string;
  /** The provider that answered, or `none`. */
  readonly provider: string;
  readonly status: number;
  /** Whether the request failed (an error status, or a body that did not complete). */
  readonly failed: boolean;
  readonly usage: Usage | undefined;
  readonly costUsd: number | undefined;
  readonly durationMs: number;
  /** For streams: from the request's start to its first event. */
  readonly firstTokenMs: number | undefined;
}

/** Upper bounds, in seconds, of the duration histograms' buckets. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;
export const FIRST_TOKEN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] as const;

/** A histogram's cumulative-ready counts: per bucket (not cumulative), the sum and the count. */
export interface Histogram {
  readonly buckets: number[];
  sum: number;
  count: number;
}

function observe(histogram: Histogram, bounds: readonly number[], seconds: number): void {
  let index = 0;
  while (index < bounds.length && seconds > (bounds[index] as number)) index++;
  if (index < bounds.length) histogram.buckets[index] = (histogram.buckets[index] as number) + 1;
  histogram.sum += seconds;
  histogram.count += 1;
}

const emptyTotals = (): UsageTotals => ({
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
});

function add(totals: UsageTotals, entry: LedgerEntry): void {
  totals.requests += 1;
  if (entry.failed) totals.errors += 1;
  const { usage } = entry;
  if (usage !== undefined) {
    totals.inputTokens += usage.inputTokens;
    totals.outputTokens += usage.outputTokens;
    totals.cachedTokens += usage.cachedTokens;
    totals.reasoningTokens += usage.reasoningTokens;
  }
  if (entry.costUsd !== undefined) totals.costUsd = (totals.costUsd ?? 0) + entry.costUsd;
}

/** The separator of composite map keys: no label value holds it (names, ids and labels are printable). */
const SEP = '\u0000';

/**
 * The gateway's running totals of requests and tokens, per key, model and provider (for /stats), and the
 * counters and histograms /metrics exposes. Every map is keyed by bounded labels only: configured key names,
 * provider ids and model labels (a model the configuration does not name is `other`). In memory, per
 * process (per isolate on Workers).
 *
 * @example
 * const ledger = createUsageLedger();
 * ledger.add({ key: 'team-a', model: 'gpt-4o', provider: 'openai', status: 200, failed: false, usage, costUsd: undefined, durationMs: 812, firstTokenMs: 140 });
 */
export function createUsageLedger() {
  const byKey = new Map<string, UsageTotals>();
  const byModel = new Map<string, UsageTotals>();
  const byProvider = new Map<string, UsageTotals>();
  /** provider, model, status -> requests. */
  const requests = new Map<string, number>();
  /** key, model, provider -> totals (tokens by kind, cost). */
  const tokens = new Map<string, UsageTotals>();
  /** provider, model -> histograms. */
  const durations = new Map<string, Histogram>();
  const firstTokens = new Map<string, Histogram>();
  const gauges = { requestsInFlight: 0, streamsInFlight: 0 };

  const row = (map: Map<string, UsageTotals>, name: string) => {
    let totals = map.get(name);
    if (totals === undefined) {
      totals = emptyTotals();
      map.set(name, totals);
    }
    return totals;
  };
  const histogram = (map: Map<string, Histogram>, name: string, size: number) => {
    let found = map.get(name);
    if (found === undefined) {
      found = { buckets: new Array<number>(size).fill(0), sum: 0, count: 0 };
      map.set(name, found);
    }
    return found;
  };

  return {
    gauges,
    byKey,
    byModel,
    byProvider,
    requests,
    tokens,
    durations,
    firstTokens,
    add(entry: LedgerEntry): void {
      if (entry.key !== undefined) add(row(byKey, entry.key), entry);
      add(row(byModel, entry.model), entry);
      add(row(byProvider, entry.provider), entry);
      const request = `${entry.provider}${SEP}${entry.model}${SEP}${entry.status}`;
      requests.set(request, (requests.get(request) ?? 0) + 1);
      if (entry.usage !== undefined || entry.costUsd !== undefined) {
        add(row(tokens, `${entry.key ?? 'none'}${SEP}${entry.model}${SEP}${entry.provider}`), entry);
      }
      const pair = `${entry.provider}${SEP}${entry.model}`;
      observe(histogram(durations, pair, DURATION_BUCKETS.length), DURATION_BUCKETS, entry.durationMs / 1000);
      if (entry.firstTokenMs !== undefined) {
        observe(
          histogram(firstTokens, pair, FIRST_TOKEN_BUCKETS.length),
          FIRST_TOKEN_BUCKETS,
          entry.firstTokenMs / 1000,
        );
      }
    },
  };
}

export type UsageLedger = ReturnType<typeof createUsageLedger>;

/** Splits a composite key made by the ledger back into its labels. */
export function labelsOf(composite: string): string[] {
  return composite.split(SEP);
}

/**
 * The cost of a usage at a model's prices (per million tokens): cached input tokens at `cachedInput`, the rest
 * of the input at `input`, output (reasoning included, as providers bill it) at `output`.
 *
 * @example
 * costOf(usage, { input: 2.5, cachedInput: 1.25, output: 10 }); // 0.0123
 */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  return (
    ((usage.inputTokens - cached) * price.input +
      cached * (price.cachedInput ?? price.input) +
      usage.outputTokens * price.output) /
    1_000_000
  );
}

/** Records feed the ledger through the request log: the shape the logger hands over. */
export type FinishedRecord = Readonly<RequestRecord>;
