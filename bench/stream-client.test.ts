import { describe, expect, it } from 'vitest';
// @ts-expect-error: the benchmark is plain JavaScript, typed by its JSDoc only.
import { summarizeStreams } from './stream-client.mjs';

const round = (first: number[], later: number[]) => ({
  streams: first.length,
  completed: first.length,
  errors: 0,
  firstDelays: first,
  laterDelays: later,
  seconds: 1,
});

describe('summarizeStreams', () => {
  it("pools every round's delays and keeps each round's own p99", () => {
    // 100 chunks per round: a calm round (1 ms) and a stormy one (its slowest 10 chunks at 50 ms).
    const calm = round([1, 1], Array(98).fill(1));
    const stormy = round([50, 50], [...Array(90).fill(2), ...Array(8).fill(50)]);
    const summary = summarizeStreams([calm, stormy]);
    expect(summary).toMatchObject({ streams: 4, completed: 4, errors: 0, chunks: 200, seconds: 2 });
    // Pooled: the 198th of 200 sorted delays is one of the stormy round's ten 50 ms chunks.
    expect(summary.p99Ms).toBe(50);
    expect(summary.p50Ms).toBe(1);
    expect(summary.firstChunkP99Ms).toBe(50);
    expect(summary.rounds.map((r: { p99Ms: number }) => r.p99Ms)).toEqual([1, 50]);
  });

  it('leaves the rounds it was given as they were', () => {
    const only = round([3, 1], [2]);
    summarizeStreams([only]);
    expect(only.firstDelays).toEqual([3, 1]);
  });
});
