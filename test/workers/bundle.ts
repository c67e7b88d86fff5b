import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the test run puts the Worker exactly as `wrangler deploy` would upload it. */
export const BUNDLE_DIR = join(ROOT, '.wrangler/test-bundle');
export const BUNDLE = join(BUNDLE_DIR, 'worker.js');

/**
 * Builds the Worker with wrangler itself (`wrangler deploy --dry-run --outdir`): the real upload, minus the
 * upload. `entry` builds another entry module with the same wrangler.toml (an entry of a user's own).
 */
export function buildWorkerBundle(options: { entry?: string; outdir?: string } = {}): string {
  const outdir = options.outdir ?? BUNDLE_DIR;
  mkdirSync(outdir, { recursive: true });
  return execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
      'deploy',
      ...(options.entry === undefined ? [] : [options.entry]),
      '--dry-run',
      '--outdir',
      outdir,
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' } },
  );
}
