import { concatBytes } from '../exchange/bytes.js';
import type { BodySource } from '../exchange/exchange.js';
import type { StreamContinuation } from './continuation-hook.js';
import { rewrittenStream, type StreamIdentity } from './continued-stream.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One candidate: sends the prefilled request (made on demand) and resolves with its stream, or undefined. */
export type ContinuationTry = (prefilled: () => Uint8Array<ArrayBuffer>) => Promise<BodySource | undefined>;

/** What the client was sent before the cut, read back from the delivered events. */
interface Delivered {
  identity: StreamIdentity;
  text: string;
  /** Content events sent: the estimate of the completion tokens already delivered. */
  events: number;
  /** A tool call, a second choice or a finish: not a stream a prefill can continue. */
  continuable: boolean;
}

interface ChunkJson {
  id?: unknown;
  model?: unknown;
  created?: unknown;
  choices?: {
    index?: unknown;
    delta?: { content?: unknown; tool_calls?: unknown };
    finish_reason?: unknown;
  }[];
}

function readDelivered(chunks: readonly Uint8Array[]): Delivered {
  const result: Delivered = { identity: {}, text: '', events: 0, continuable: true };
  for (const line of decoder.decode(concatBytes(chunks)).split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '' || data === '[DONE]') continue;
    let event: ChunkJson;
    try {
      event = JSON.parse(data) as ChunkJson;
    } catch {
      result.continuable = false;
      continue;
    }
    if (result.identity.id === undefined && typeof event.id === 'string') result.identity.id = event.id;
    if (result.identity.model === undefined && typeof event.model === 'string')
      result.identity.model = event.model;
    if (result.identity.created === undefined && typeof event.created === 'number')
      result.identity.created = event.created;
    for (const choice of event.choices ?? []) {
      if (choice.index !== 0 && choice.index !== undefined) result.continuable = false;
      if (choice.delta?.tool_calls !== undefined || choice.finish_reason != null) result.continuable = false;
      const content = choice.delta?.content;
      if (typeof content === 'string' && content !== '') {
        result.text += content;
        result.events += 1;
      }
    }
  }
  return result;
}

/**
 * The continuation of one chat completions stream: keeps (by reference) what the client was sent and, when
 * the stream fails, asks each candidate in turn to go on from there: the original request with the delivered
 * text as a last `assistant` message (a prefill). The first that answers with a stream is relayed into the
 * same client stream, rewritten to read as the same answer. Tool-call streams, `n > 1` and requests that are
 * not JSON are not continued. Nothing is parsed until a stream actually fails.
 *
 * @example
 * const continuation = createContinuation({ body, tries: [() => ..., () => ...] });
 * relayEventStream({ ..., continuation });
 */
export function createContinuation(options: {
  /** The client's request body (JSON). */
  body: Uint8Array;
  /** The candidates, in order; computed when the stream fails (health may have changed by then). */
  tries: () => readonly ContinuationTry[];
  /** Called when a candidate took over (for the request's record and /stats). */
  onContinued?: () => void;
  /**
   * Most bytes of the delivered stream kept for a continuation (`MAX_HELD_BODY_BYTES`): a longer answer is not
   * continued, so a provider cannot make the gateway hold a whole long stream.
   */
  maxBytes: number;
}): StreamContinuation {
  let chunks: Uint8Array[] | undefined = [];
  let held = 0;
  return {
    delivered(chunk) {
      if (chunks === undefined) return;
      held += chunk.byteLength;
      if (held > options.maxBytes) chunks = undefined;
      else chunks.push(chunk);
    },
    async resume() {
      if (chunks === undefined) return undefined;
      const delivered = readDelivered(chunks);
      if (!delivered.continuable) return undefined;
      let request: Record<string, unknown>;
      try {
        request = JSON.parse(decoder.decode(options.body)) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      const n = request.n;
      if (!Array.isArray(request.messages) || (typeof n === 'number' && n > 1) || request.stream !== true)
        return undefined;
      const messages =
        delivered.text === ''
          ? request.messages
          : [...request.messages, { role: 'assistant', content: delivered.text }];
      const prefilled = () =>
        encoder.encode(JSON.stringify({ ...request, messages })) as Uint8Array<ArrayBuffer>;
      for (const attempt of options.tries()) {
        const stream = await attempt(prefilled);
        if (stream === undefined) continue;
        options.onContinued?.();
        return rewrittenStream(stream, { identity: delivered.identity, deliveredTokens: delivered.events });
      }
      return undefined;
    },
  };
}
