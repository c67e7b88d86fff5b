import {
  DURATION_BUCKETS,
  FIRST_TOKEN_BUCKETS,
  type Histogram,
  labelsOf,
  type UsageLedger,
} from './usage-ledger.js';

/** What /metrics shows of a provider: its id, attempts and their failures, and its breaker's state. */
export interface ProviderMetrics {
  readonly id: string;
  readonly attempts: number;
  readonly failures: number;
  readonly breaker: 'closed' | 'open' | 'half-open';
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/** A label value as the exposition format quotes it. */
const quote = (value: string) =>
  `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;

const labels = (names: readonly string[], values: readonly string[]) =>
  `{${names.map((name, index) => `${name}=${quote(values[index] ?? '')}`).join(',')}}`;

const number = (value: number) => (Number.isFinite(value) ? String(value) : '0');

function head(lines: string[], name: string, type: string, help: string): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

function histogram(
  lines: string[],
  name: string,
  help: string,
  bounds: readonly number[],
  series: ReadonlyMap<string, Histogram>,
): void {
  head(lines, name, 'histogram', help);
  for (const [composite, values] of series) {
    const [provider = '', model = ''] = labelsOf(composite);
    let cumulative = 0;
    for (const [index, bound] of bounds.entries()) {
      cumulative += values.buckets[index] as number;
      lines.push(
        `${name}_bucket${labels(['provider', 'model', 'le'], [provider, model, String(bound)])} ${cumulative}`,
      );
    }
    lines.push(
      `${name}_bucket${labels(['provider', 'model', 'le'], [provider, model, '+Inf'])} ${values.count}`,
    );
    lines.push(`${name}_sum${labels(['provider', 'model'], [provider, model])} ${number(values.sum)}`);
    lines.push(`${name}_count${labels(['provider', 'model'], [provider, model])} ${values.count}`);
  }
}

/**
 * The gateway's metrics in the Prometheus text exposition format (0.0.4). Names follow Prometheus' rules
 * (base units in the name, `_total` counters) and the OpenTelemetry GenAI conventions' meanings: token usage
 * by type (input, output, cached_input, reasoning), request duration and time to first token in seconds.
 * Labels are bounded: key names, provider ids, configured model names or `other`, status codes.
 *
 * @example
 * const text = prometheusText({ ledger, providers: [{ id: 'a', attempts: 3, failures: 0, breaker: 'closed' }], priced: false });
 */
export function prometheusText(options: {
  ledger: UsageLedger;
  providers: readonly ProviderMetrics[];
  /** A price table is configured: cost is exposed. */
  priced: boolean;
}): string {
  const { ledger, providers } = options;
  const lines: string[] = [];
  head(
    lines,
    'gateway_requests_total',
    'counter',
    'Requests to /v1/* answered, by provider, model and HTTP status.',
  );
  for (const [composite, count] of ledger.requests) {
    lines.push(
      `gateway_requests_total${labels(['provider', 'model', 'status'], labelsOf(composite))} ${count}`,
    );
  }
  head(
    lines,
    'gateway_tokens_total',
    'counter',
    'Tokens the providers reported (or estimated, for cut streams), by key, model, provider and type.',
  );
  for (const [composite, totals] of ledger.tokens) {
    const [key = '', model = '', provider = ''] = labelsOf(composite);
    const kinds: [string, number][] = [
      ['input', totals.inputTokens],
      ['output', totals.outputTokens],
      ['cached_input', totals.cachedTokens],
      ['reasoning', totals.reasoningTokens],
    ];
    for (const [type, count] of kinds) {
      lines.push(
        `gateway_tokens_total${labels(['key', 'model', 'provider', 'type'], [key, model, provider, type])} ${count}`,
      );
    }
  }
  if (options.priced) {
    head(
      lines,
      'gateway_cost_usd_total',
      'counter',
      'Cost in USD at the configured prices, by key, model and provider.',
    );
    for (const [composite, totals] of ledger.tokens) {
      lines.push(
        `gateway_cost_usd_total${labels(['key', 'model', 'provider'], labelsOf(composite))} ${number(totals.costUsd ?? 0)}`,
      );
    }
  }
  histogram(
    lines,
    'gateway_request_duration_seconds',
    'Time from a request to the end of its answer (streams: their last event).',
    DURATION_BUCKETS,
    ledger.durations,
  );
  histogram(
    lines,
    'gateway_time_to_first_token_seconds',
    'Streams: time from the request to its first event.',
    FIRST_TOKEN_BUCKETS,
    ledger.firstTokens,
  );
  head(
    lines,
    'gateway_upstream_attempts_total',
    'counter',
    'Attempts sent to each provider, retries and failovers included.',
  );
  for (const provider of providers)
    lines.push(`gateway_upstream_attempts_total${labels(['provider'], [provider.id])} ${provider.attempts}`);
  head(lines, 'gateway_upstream_failures_total', 'counter', 'Attempts that failed, by provider.');
  for (const provider of providers)
    lines.push(`gateway_upstream_failures_total${labels(['provider'], [provider.id])} ${provider.failures}`);
  head(
    lines,
    'gateway_provider_breaker_state',
    'gauge',
    "1 for each provider's current circuit breaker state, 0 for the others.",
  );
  for (const provider of providers) {
    for (const state of BREAKER_STATES) {
      lines.push(
        `gateway_provider_breaker_state${labels(['provider', 'state'], [provider.id, state])} ${provider.breaker === state ? 1 : 0}`,
      );
    }
  }
  head(lines, 'gateway_requests_in_flight', 'gauge', 'Requests being answered, streams included.');
  lines.push(`gateway_requests_in_flight ${ledger.gauges.requestsInFlight}`);
  head(lines, 'gateway_streams_in_flight', 'gauge', 'Event streams still open.');
  lines.push(`gateway_streams_in_flight ${ledger.gauges.streamsInFlight}`);
  return `${lines.join('\n')}\n`;
}
