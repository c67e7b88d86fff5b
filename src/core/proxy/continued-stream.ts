import type { BodyController, BodySource } from '../exchange/exchange.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What makes the continued stream read as the first one: its id, model and creation time. */
export interface StreamIdentity {
  id?: string;
  model?: string;
  created?: number;
}

interface ChunkJson {
  id?: unknown;
  model?: unknown;
  created?: unknown;
  error?: unknown;
  choices?: { delta?: Record<string, unknown> }[];
  usage?: Record<string, unknown> | null;
}

/**
 * The stream of the provider that continues a cut answer, rewritten event by event so that the client sees
 * one answer: the first stream's `id`, `model` and `created`; no second `role` delta; the usage (when the
 * provider sends it) with the completion tokens already delivered added (estimated: one per delivered content
 * event) and marked `"continued": true, "estimated": true`. `[DONE]` and error events pass as they are. Only
 * used after a cut, so parsing every event here costs nothing on the usual path.
 *
 * @example
 * rewrittenStream(relay, { identity: { id: 'chatcmpl-1', model: 'gpt-4o' }, deliveredTokens: 40 });
 */
export function rewrittenStream(
  inner: BodySource,
  options: { identity: StreamIdentity; deliveredTokens: number },
): BodySource {
  let pending = '';
  /** Whether the last call into `inner` gave the client something (or ended the stream). */
  let progressed = false;
  let wrapped: { outer: BodyController; controller: BodyController } | undefined;
  const rewrite = (event: string): string => {
    const data = /^data:\s?(.*)$/m.exec(event)?.[1];
    if (data === undefined || data.trim() === '[DONE]') return `${event}\n\n`;
    let chunk: ChunkJson;
    try {
      chunk = JSON.parse(data) as ChunkJson;
    } catch {
      return `${event}\n\n`;
    }
    if (chunk.error !== undefined) return `${event}\n\n`;
    const { identity } = options;
    if (identity.id !== undefined) chunk.id = identity.id;
    if (identity.model !== undefined) chunk.model = identity.model;
    if (identity.created !== undefined) chunk.created = identity.created;
    for (const choice of chunk.choices ?? []) if (choice.delta !== undefined) delete choice.delta.role;
    if (typeof chunk.usage === 'object' && chunk.usage !== null) {
      const usage = chunk.usage;
      const completion =
        (typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0) + options.deliveredTokens;
      const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
      chunk.usage = {
        ...usage,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        continued: true,
        estimated: true,
      };
    }
    return `data: ${JSON.stringify(chunk)}\n\n`;
  };
  const controllerFor = (outer: BodyController): BodyController => {
    if (wrapped?.outer === outer) return wrapped.controller;
    const controller: BodyController = {
      enqueue(bytes) {
        pending += decoder.decode(bytes, { stream: true }).replaceAll('\r\n', '\n');
        const end = pending.lastIndexOf('\n\n');
        if (end === -1) return;
        const events = pending.slice(0, end).split('\n\n');
        pending = pending.slice(end + 2);
        let out = '';
        for (const event of events) if (event.trim() !== '') out += rewrite(event);
        if (out === '') return;
        progressed = true;
        outer.enqueue(encoder.encode(out));
      },
      close() {
        if (pending.trim() !== '') outer.enqueue(encoder.encode(pending));
        pending = '';
        progressed = true;
        outer.close();
      },
      error: (reason) => {
        progressed = true;
        outer.error(reason);
      },
    };
    wrapped = { outer, controller };
    return controller;
  };
  return {
    start: (outer) => inner.start?.(controllerFor(outer)),
    // A Web stream pulls again only after something was enqueued: pull on until a whole event is.
    async pull(outer) {
      progressed = false;
      while (!progressed) await inner.pull(controllerFor(outer));
    },
    cancel: (reason) => inner.cancel(reason),
  };
}
