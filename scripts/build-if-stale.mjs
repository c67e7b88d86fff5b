// `npm start` runs this first: it builds (`npm run build`) only when dist/gateway.mjs is missing or older than
// what it is built from, so a start with a current build takes no tsc run. What it is built from: every file
// and folder under src/ (a folder's time changes when a file in it is added, removed or renamed), the bundle
// script, package.json, the lockfile and the TypeScript configs. Tests (*.test.ts) are not part of the build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'dist', 'gateway.mjs');

/** The newest modification time (ms) among `path` and, for a folder, everything under it. */
function newest(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  let time = stats.mtimeMs;
  if (stats.isDirectory()) {
    for (const entry of readdirSync(path)) {
      if (entry.endsWith('.test.ts')) continue;
      time = Math.max(time, newest(join(path, entry)));
    }
  }
  return time;
}

const inputs = [
  'src',
  'scripts/bundle-node.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'tsconfig.build.json',
];
let built = 0;
try {
  built = statSync(output).mtimeMs;
} catch {}
const source = Math.max(...inputs.map((input) => newest(join(root, input))));
if (built === 0 || source > built) {
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
