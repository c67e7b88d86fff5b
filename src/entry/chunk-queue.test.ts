import { describe, expect, it } from 'vitest';
import { ChunkQueue } from './chunk-queue.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);

function queueWithRoomCount(highWaterMark = 2) {
  const room = { calls: 0 };
  const queue = new ChunkQueue({ highWaterMark, onRoom: () => room.calls++ });
  return { queue, room };
}

describe('ChunkQueue', () => {
  it('hands queued chunks to reads in order, then done', async () => {
    const { queue } = queueWithRoomCount(8);
    queue.push(bytes('a'));
    queue.push(bytes('b'));
    queue.end();
    expect(text((await queue.read()).value)).toBe('a');
    expect(text((await queue.read()).value)).toBe('b');
    expect(await queue.read()).toEqual({ done: true, value: undefined });
    expect(await queue.read()).toEqual({ done: true, value: undefined });
  });

  it('resolves a waiting read with the next chunk pushed, or with the end', async () => {
    const { queue } = queueWithRoomCount();
    const first = queue.read();
    queue.push(bytes('late'));
    expect(text((await first).value)).toBe('late');
    const second = queue.read();
    queue.end();
    expect((await second).done).toBe(true);
  });

  it('reports full at the high-water mark and calls onRoom once a read makes room', async () => {
    const { queue, room } = queueWithRoomCount(2);
    expect(queue.push(bytes('1'))).toBe(true);
    expect(queue.push(bytes('2'))).toBe(false);
    expect(room.calls).toBe(0);
    await queue.read();
    expect(room.calls).toBe(1);
    // Not full any more: further reads do not call it again.
    await queue.read();
    expect(room.calls).toBe(1);
  });

  it('does not call onRoom when the queue never filled', async () => {
    const { queue, room } = queueWithRoomCount(4);
    queue.push(bytes('1'));
    await queue.read();
    expect(room.calls).toBe(0);
  });

  it('delivers queued chunks before a failure, then rejects every read with it', async () => {
    const { queue } = queueWithRoomCount(8);
    const reason = new Error('reset');
    queue.push(bytes('kept'));
    queue.fail(reason);
    expect(text((await queue.read()).value)).toBe('kept');
    await expect(queue.read()).rejects.toBe(reason);
    await expect(queue.read()).rejects.toBe(reason);
  });

  it('rejects a waiting read when the body fails', async () => {
    const { queue } = queueWithRoomCount();
    const pending = queue.read();
    queue.fail(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  it('keeps the first of end and failure', async () => {
    const ended = queueWithRoomCount().queue;
    ended.end();
    ended.fail(new Error('after the end'));
    expect(ended.settled).toBe(true);
    expect((await ended.read()).done).toBe(true);

    const failed = queueWithRoomCount().queue;
    failed.fail(new Error('first'));
    failed.end();
    await expect(failed.read()).rejects.toThrow('first');
  });

  it('refuses a second read while one is pending, as a stream reader does', async () => {
    const { queue } = queueWithRoomCount();
    const first = queue.read();
    await expect(queue.read()).rejects.toThrow(TypeError);
    queue.push(bytes('x'));
    expect(text((await first).value)).toBe('x');
  });

  it('clear() drops what is queued', async () => {
    const { queue } = queueWithRoomCount(8);
    queue.push(bytes('dropped'));
    queue.clear();
    queue.end();
    expect((await queue.read()).done).toBe(true);
  });

  it('takeRest() hands over a body that has ended, at once, then reads get done', async () => {
    const { queue } = queueWithRoomCount(8);
    queue.push(bytes('a'));
    expect(queue.takeRest()).toBeUndefined(); // more may come
    queue.push(bytes('b'));
    queue.end();
    expect((await queue.read()).value).toEqual(bytes('a'));
    expect(queue.takeRest()?.map(text)).toEqual(['b']);
    expect((await queue.read()).done).toBe(true);
  });

  it('takeRest() takes nothing from a body that failed', async () => {
    const { queue } = queueWithRoomCount(8);
    queue.push(bytes('a'));
    queue.fail(new Error('cut'));
    expect(queue.takeRest()).toBeUndefined();
    expect(text((await queue.read()).value)).toBe('a');
    await expect(queue.read()).rejects.toThrow('cut');
  });
});
