// A preload for bench/cold-ab.mjs (`--import=./bench/gc-pauses.mjs` in a variant's flags): the process's GC pauses
// so far, total milliseconds and count (from `PerformanceObserver` 'gc' entries), kept in
// $TMPDIR/gateway-gc-pauses/<pid> as `<ms> <count>`, which cold-ab.mjs reads before and after each burst.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';

const folder = join(tmpdir(), 'gateway-gc-pauses');
mkdirSync(folder, { recursive: true });
const file = join(folder, String(process.pid));
let ms = 0;
let count = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    ms += entry.duration;
    count += 1;
  }
  writeFileSync(file, `${ms} ${count}`);
}).observe({ entryTypes: ['gc'] });
