import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../dist/entry/young-generation-cap.js', import.meta.url));

// Run in a process of its own: V8 flags are process-wide, and the vitest worker must keep its own heap.
// Objects that survive collections, made a few at a time between turns of the event loop (as open streams
// keep objects alive in a server), make V8 grow the young generation.
const SCRIPT = `
import { getHeapSpaceStatistics } from 'node:v8';
const cap = Number(process.argv[1]);
if (cap > 0) (await import(${JSON.stringify(MODULE)})).capYoungGeneration({ maxSemiSpaceMb: cap });
const newSpaceMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
const live = new Array(100000);
let max = 0;
for (let round = 0; round < 2000; round++) {
  for (let i = 0; i < 2000; i++) live[(round * 2000 + i) % live.length] = { round, i, text: 'x' + i };
  max = Math.max(max, newSpaceMb());
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(max);
`;

async function largestYoungGenerationMb(capMb: number): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', SCRIPT, String(capMb)],
    { timeout: 60_000 },
  );
  return Number(stdout.trim());
}

describe('capYoungGeneration', () => {
  it('stops the young generation (two semi-spaces) at the cap that V8 would otherwise grow past', async () => {
    const uncapped = await largestYoungGenerationMb(0);
    expect(uncapped).toBeGreaterThan(8);
    expect(await largestYoungGenerationMb(4)).toBeLessThanOrEqual(8);
    expect(await largestYoungGenerationMb(2)).toBeLessThanOrEqual(4);
  }, 120_000);
});
