import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const core = join(root, 'src/core');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Type-checks one probe file with the core's compiler settings; returns the compiler's complaints. */
function checkWithCoreSettings(code: string): string {
  // Inside the package, so that its "type": "module" applies to the probe as it does to src/core.
  const cache = join(root, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'core-probe-'));
  try {
    writeFileSync(join(dir, 'probe.ts'), code);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: join(core, 'tsconfig.json'), include: [join(dir, 'probe.ts')] }),
    );
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
      return '';
    } catch (error) {
      return String((error as { stdout?: string }).stdout);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the core stays on Web standards', () => {
  it('has no node: import and no process reference in src/core', () => {
    for (const file of sourceFiles(core)) {
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(text, file).not.toMatch(/from ['"]node:|require\(|\bprocess\./);
    }
  });

  it('fails to compile Node-only code under the core tsconfig, and compiles Web-standard code', () => {
    expect(checkWithCoreSettings('export const port = process.env.PORT;\n')).toContain(
      "Cannot find name 'process'",
    );
    expect(
      checkWithCoreSettings("import { readFileSync } from 'node:fs';\nexport { readFileSync };\n"),
    ).toContain('node:fs');
    expect(checkWithCoreSettings("export const r = new Response('ok', { headers: new Headers() });\n")).toBe(
      '',
    );
  }, 60_000);
});

/** The core folders each source file of `dir` imports from (relative imports only). */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const folders: string[] = [];
  for (const match of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
    const target = join(file, '..', match[1] as string);
    const rest = target.slice(core.length + 1);
    folders.push(rest.includes('/') ? (rest.split('/')[0] as string) : '.');
  }
  return folders;
}

describe('the core keeps its layers', () => {
  it("exchange/ (the gateway's own request and response types) imports nothing else of the core", () => {
    for (const file of sourceFiles(join(core, 'exchange'))) {
      expect(
        importedFolders(file).filter((folder) => folder !== 'exchange'),
        file,
      ).toEqual([]);
    }
  });

  it('no folder below http/ imports from it', () => {
    for (const folder of [
      'auth',
      'balancer',
      'config',
      'errors',
      'exchange',
      'providers',
      'proxy',
      'resilience',
      'routing',
    ]) {
      for (const file of sourceFiles(join(core, folder))) {
        expect(importedFolders(file), file).not.toContain('http');
      }
    }
  });
});
