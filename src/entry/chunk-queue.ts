import type { BodyReader } from '../core/index.js';

type PendingRead = {
  resolve: (result: ReadableStreamReadResult<Uint8Array>) => void;
  reject: (error: unknown) => void;
};

const DONE: ReadableStreamReadResult<Uint8Array> = Object.freeze({ done: true, value: undefined });

/** Chunks a queue holds unread before it reports full, unless told otherwise: enough to ride out a slow reader. */
export const DEFAULT_HIGH_WATER_MARK = 16;

export interface ChunkQueueOptions {
  /** Chunks held unread at which `push` reports the queue full (the producer should pause); default 16. */
  highWaterMark?: number;
  /** Called when a read makes room again after `push` reported the queue full: resume the producer. */
  onRoom: () => void;
}

/**
 * The reading half of a body fed by events (a Node stream's `data`, undici's `onData`): chunks pushed wait
 * for `read()`, a read waiting for a chunk gets the next one pushed, then the end or the failure. `push`
 * returns false once `highWaterMark` chunks wait unread; `onRoom` is called when a read brings the queue
 * below it again. One read at a time, as a stream reader allows.
 *
 * @example
 * const queue = new ChunkQueue({ onRoom: () => stream.resume() });
 * stream.on('data', (chunk) => { if (!queue.push(chunk)) stream.pause(); });
 * stream.on('end', () => queue.end());
 * const { done, value } = await queue.read();
 */
export class ChunkQueue implements Pick<BodyReader, 'read' | 'takeRest'> {
  readonly #highWaterMark: number;
  readonly #onRoom: () => void;
  // Made on the first push as a one-slot literal (a push into [] makes room for 17): most streams hold one
  // chunk at a time, and this array lives as long as the stream.
  #queued: Uint8Array[] | undefined;
  #full = false;
  #ended = false;
  #failure: unknown;
  #failed = false;
  #pending: PendingRead | undefined;

  constructor(options: ChunkQueueOptions) {
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#onRoom = options.onRoom;
  }

  /** Whether the body has ended or failed: nothing more will be pushed. */
  get settled(): boolean {
    return this.#ended || this.#failed;
  }

  /** Hands on a chunk; false when the queue is now full (pause until `onRoom`). */
  push(chunk: Uint8Array): boolean {
    if (this.#queued === undefined) this.#queued = [chunk];
    else this.#queued.push(chunk);
    this.#settle();
    if (this.#queued.length < this.#highWaterMark) return true;
    this.#full = true;
    return false;
  }

  /** The body ended: reads get what is queued, then `done`. */
  end(): void {
    if (this.settled) return;
    this.#ended = true;
    this.#settle();
  }

  /** The body failed: a waiting read and every later one reject with `reason` once the queue is read. */
  fail(reason: unknown): void {
    if (this.settled) return;
    this.#failed = true;
    this.#failure = reason;
    this.#settle();
  }

  /** Drops what is queued (the body was cancelled). */
  clear(): void {
    this.#queued = undefined;
  }

  /**
   * Everything left of a body that has ended, taken at once with no read (then reads get `done`); undefined
   * while more may come, after a failure, or while a read is pending.
   */
  takeRest(): Uint8Array[] | undefined {
    if (!this.#ended || this.#pending !== undefined) return undefined;
    const rest = this.#queued ?? [];
    this.#queued = undefined;
    return rest;
  }

  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.#pending !== undefined) return Promise.reject(new TypeError('A read is already pending.'));
    const chunk = this.#queued?.shift();
    let result: Promise<ReadableStreamReadResult<Uint8Array>>;
    if (chunk !== undefined) result = Promise.resolve({ done: false, value: chunk });
    else if (this.#failed) result = Promise.reject(this.#failure);
    else if (this.#ended) result = Promise.resolve(DONE);
    else result = new Promise((resolve, reject) => (this.#pending = { resolve, reject }));
    if (this.#full && (this.#queued?.length ?? 0) < this.#highWaterMark) {
      this.#full = false;
      this.#onRoom();
    }
    return result;
  }

  #settle(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const chunk = this.#queued?.shift();
    if (chunk !== undefined) {
      this.#pending = undefined;
      pending.resolve({ done: false, value: chunk });
    } else if (this.#failed) {
      this.#pending = undefined;
      pending.reject(this.#failure);
    } else if (this.#ended) {
      this.#pending = undefined;
      pending.resolve(DONE);
    }
  }
}
