import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-if-stale.mjs', import.meta.url));

// A project of its own whose `build` only leaves a marker, so the test sees whether the script built.
let root: string;
const at = (...parts: string[]) => join(root, ...parts);
const seconds = (s: number) => new Date(1_700_000_000_000 + s * 1000);

function setTime(path: string, s: number) {
  utimesSync(path, seconds(s), seconds(s));
}

function run(): boolean {
  rmSync(at('built'), { force: true });
  const result = spawnSync(process.execPath, [at('scripts', 'build-if-stale.mjs')], {
    cwd: root,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return existsSync(at('built'));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  for (const folder of ['scripts', 'src/core', 'dist']) mkdirSync(at(folder), { recursive: true });
  copyFileSync(SCRIPT, at('scripts', 'build-if-stale.mjs'));
  writeFileSync(
    at('package.json'),
    JSON.stringify({ scripts: { build: "node -e \"require('fs').writeFileSync('built', '')\"" } }),
  );
  writeFileSync(at('src/core/a.ts'), '');
  writeFileSync(at('src/core/a.test.ts'), '');
  writeFileSync(at('dist/gateway.mjs'), '');
  for (const path of ['scripts/build-if-stale.mjs', 'package.json', 'src/core/a.ts', 'src/core/a.test.ts']) {
    setTime(at(path), 10);
  }
  for (const folder of ['src/core', 'src']) setTime(at(folder), 10);
  setTime(at('dist/gateway.mjs'), 20);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scripts/build-if-stale.mjs (npm start)', () => {
  it('does not build when dist is newer than every input', () => {
    expect(run()).toBe(false);
  });

  it('builds when dist/gateway.mjs is missing', () => {
    rmSync(at('dist/gateway.mjs'));
    expect(run()).toBe(true);
  });

  it('builds when a source file changed, however deep', () => {
    setTime(at('src/core/a.ts'), 30);
    expect(run()).toBe(true);
  });

  it('builds when a source file was removed (its folder changed)', () => {
    rmSync(at('src/core/a.ts'));
    expect(run()).toBe(true);
  });

  it('builds when package.json changed', () => {
    setTime(at('package.json'), 30);
    expect(run()).toBe(true);
  });

  it('does not build for a changed test file', () => {
    setTime(at('src/core/a.test.ts'), 30);
    expect(run()).toBe(false);
  });
});
