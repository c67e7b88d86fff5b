import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** V8's own factor (Node 20, V8 11.3): each growth doubles the young generation. */
const DEFAULT_GROWTH_FACTOR = 2;

/**
 * Keeps V8's young generation (its two semi-spaces) from growing past `maxSemiSpaceMb`, as
 * `node --max-semi-space-size` would, without a command-line flag: that size is fixed when the heap is made,
 * before any script runs. Instead, after each garbage collection, growth is switched off while the young
 * generation is at the cap (`--semi-space-growth-factor=1`, a value V8 reads each time it grows) and back on
 * when V8 has shrunk it below. Returns a function that stops watching.
 *
 * Best effort: Node reports each collection a turn of the event loop later, so a burst of allocation that
 * makes V8 grow the young generation twice before then leaves it a step (or two) past the cap, where it stays.
 *
 * Why: hundreds of open streams keep many objects alive across collections, and V8 answers that by growing
 * the young generation to its 16 MB per semi-space maximum, whose pages then stay resident.
 *
 * @example
 * capYoungGeneration({ maxSemiSpaceMb: 8 });
 */
export function capYoungGeneration(options: { maxSemiSpaceMb: number }): () => void {
  const limitBytes = options.maxSemiSpaceMb * 2 * 1024 * 1024;
  let capped = false;
  const observer = new PerformanceObserver(() => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    const atLimit = newSpace !== undefined && newSpace.space_size >= limitBytes;
    if (atLimit === capped) return;
    capped = atLimit;
    setFlagsFromString(`--semi-space-growth-factor=${capped ? 1 : DEFAULT_GROWTH_FACTOR}`);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
