import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAnswer, listeningUrl, type Started, startGroup, waitFor } from './processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

let folder: string;
let bin: string;
const running: Started[] = [];

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'gateway-packed-'));
  // `npm test` has just built dist/; `prepack` (which builds again) is checked below rather than run twice.
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', folder], {
    cwd: ROOT,
    env,
    stdio: 'pipe',
  });
  const tarball = readdirSync(folder).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack made no tarball');
  const project = join(folder, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name":"try-the-gateway","private":true}');
  // The package has no dependencies (the bundle carries them): an offline install needs nothing but the tarball.
  execFileSync(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(folder, tarball)],
    { cwd: project, env, stdio: 'pipe' },
  );
  bin = join(project, 'node_modules', '.bin', 'openai-gateway');
}, 120_000);
afterAll(() => {
  for (const started of running.splice(0)) started.killGroup();
  rmSync(folder, { recursive: true, force: true });
});

describe('the packed package, installed: openai-gateway', () => {
  it('builds dist before packing, and ships it as its bin', () => {
    expect(manifest.scripts.prepack).toBe('npm run build');
    expect(manifest.bin['openai-gateway']).toBe('dist/gateway.mjs');
  });

  it('--version prints the package version', () => {
    expect(execFileSync(bin, ['--version'], { env, encoding: 'utf8' }).trim()).toBe(manifest.version);
  });

  it('--help lists the options', () => {
    const help = execFileSync(bin, ['--help'], { env, encoding: 'utf8' });
    for (const option of ['--port', '--host', '--config', '--help', '--version'])
      expect(help).toContain(option);
  });

  it('an unknown option: exit code 2 and a one-line message', () => {
    let status: number | null = null;
    let stderr = '';
    try {
      execFileSync(bin, ['--bogus'], { env, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      ({ status } = error as { status: number | null });
      stderr = String((error as { stderr: string }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toBe('Unknown option: --bogus (see --help).\n');
  });

  it('starts with --port, --host and --config (winning over PORT and HOST) and answers', async () => {
    const config = join(folder, 'gateway.config.json');
    writeFileSync(config, JSON.stringify({ proxyApiKeys: ['packed-key-123'] }));
    const started = startGroup(bin, ['--port', '0', '--host', '127.0.0.1', '--config', config], {
      cwd: folder,
      env: { ...env, PORT: '1', HOST: '203.0.113.9' },
    });
    running.push(started);
    const url = await waitFor(started, () => listeningUrl(started.output()), 'listening line', 15_000);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:1');
    expect(await demoAnswer(url, 'packed-key-123')).toContain('demo provider');
    started.child.kill('SIGTERM');
    await started.exited();
  });
});
