import type { GatewayResponse } from '../exchange/exchange.js';
import type { RequestRecord } from '../exchange/request-record.js';
import { answerUsage } from './answer-usage.js';
import { estimateUsage } from './estimate-usage.js';
import type { StreamUsage } from './stream-usage.js';

/**
 * Notes on the record what an answer tells at once: a JSON answer read whole gives its usage and model; an event
 * stream is marked, its usage to come when it ends ({@link noteStreamEnd}).
 *
 * @example
 * noteAnswer(record, result.answer);
 */
export function noteAnswer(record: RequestRecord, answer: GatewayResponse): void {
  const contentType = answer.headers.get('content-type');
  if (contentType === null) return;
  if (answer.body instanceof Uint8Array) {
    if (!contentType.includes('json')) return;
    const reported = answerUsage(answer.body);
    if (reported.usage !== undefined) record.usage = reported.usage;
    if (reported.model !== undefined) record.servedModel = reported.model;
  } else if (contentType.startsWith('text/event-stream')) {
    record.stream = true;
  }
}

/**
 * Notes a stream's usage once it has ended: what the provider reported, or (none came: cut, or a provider that
 * ignores `include_usage`) an estimate from the request's size and the events delivered.
 *
 * @example
 * onBodyEnd() { noteStreamEnd(record, streamUsage, body.byteLength); }
 */
export function noteStreamEnd(record: RequestRecord, watched: StreamUsage, requestBytes: number): void {
  if (record.stream !== true) return;
  record.usage = watched.usage ?? estimateUsage({ requestBytes, events: watched.dataLines });
  if (watched.model !== undefined) record.servedModel = watched.model;
}
