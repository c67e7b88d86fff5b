// Prints the functions with the most self time in a V8 .cpuprofile (e.g. from `node --cpu-prof`).
// Usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [count=15]
import { readFileSync } from 'node:fs';

const [file, countArg] = process.argv.slice(2);
if (!file) {
  console.error('Usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [count]');
  process.exit(2);
}
/** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[],
 *   samples: number[], timeDeltas: number[] }} */
const profile = JSON.parse(readFileSync(file, 'utf8'));
/** @type {Map<number, number>} node id -> microseconds */
const selfTime = new Map();
for (const [i, id] of profile.samples.entries()) {
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

/** @type {Map<string, number>} function -> microseconds, summed over the nodes (call paths) it appears in */
const byFunction = new Map();
let total = 0;
for (const node of profile.nodes) {
  const us = selfTime.get(node.id) ?? 0;
  total += us;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/')}:${lineNumber + 1}`
    : '';
  const name = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 15));
console.log(`| # | self ms | self % | function |\n| ---: | ---: | ---: | --- |`);
rows.forEach(([name, us], i) => {
  console.log(`| ${i + 1} | ${(us / 1000).toFixed(0)} | ${((us / total) * 100).toFixed(1)} | \`${name}\` |`);
});
console.log(`\nTotal sampled: ${(total / 1000).toFixed(0)} ms`);
