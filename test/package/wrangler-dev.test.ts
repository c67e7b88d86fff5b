import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { demoAnswer, freePort, generatedKey, type Started, startGroup, waitFor } from './processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// A copy of what `npm run dev` reads, without any .dev.vars or .env a developer may have in the worktree.
const copy = mkdtempSync(join(tmpdir(), 'gateway-wrangler-dev-'));
for (const path of ['package.json', 'wrangler.toml', 'tsconfig.base.json', 'src'])
  cpSync(join(ROOT, path), join(copy, path), { recursive: true });
symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');

let started: Started | undefined;
afterAll(() => {
  started?.killGroup();
  rmSync(copy, { recursive: true, force: true });
});

describe('npm run dev with no configuration', () => {
  it('wrangler.toml sets no provider: one configured as a secret or in .dev.vars is the only one', () => {
    const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
    expect(toml).not.toMatch(
      /^\s*(DEFAULT_OPENAI_PROVIDER|DEFAULT_OPENAI_TOKEN|ADDITIONAL_PROVIDERS|GATEWAY_CONFIG)\s*=/m,
    );
    const example = readFileSync(join(ROOT, '.dev.vars.example'), 'utf8');
    expect(example).not.toMatch(
      /^\s*(DEFAULT_OPENAI_PROVIDER|DEFAULT_OPENAI_TOKEN|ADDITIONAL_PROVIDERS)\s*=/m,
    );
  });

  it('serves the demo provider, as npm start does, on the port given with -- --port', async () => {
    const [port, inspector] = [await freePort(), await freePort()];
    started = startGroup(
      'npm',
      [
        'run',
        'dev',
        '--silent',
        '--',
        '--port',
        String(port),
        '--ip',
        '127.0.0.1',
        '--inspector-port',
        String(inspector),
      ],
      {
        cwd: copy,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          WRANGLER_SEND_METRICS: 'false',
          CI: 'true',
          NO_COLOR: '1',
        },
      },
    );
    const run = started;
    const url = `http://127.0.0.1:${port}`;
    // Ready when /health answers (wrangler bundles and starts workerd first: allow for a busy machine).
    const health = await waitFor(
      run,
      () => (run.output().includes('Ready on') ? true : undefined),
      'wrangler ready line',
      90_000,
    ).then(async () => {
      for (let tries = 0; tries < 100; tries++) {
        const response = await fetch(`${url}/health`).catch(() => undefined);
        if (response !== undefined) return (await response.json()) as { status: string; demo: boolean };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no /health answer:\n${run.output()}`);
    });
    expect(health.demo).toBe(true);
    // The first request built the gateway, which printed the client key it generated.
    const key = await waitFor(run, () => generatedKey(run.output()), 'generated key', 10_000);
    expect(await demoAnswer(url, key)).toContain('demo provider');
    const refused = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer invented' } });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('PROXY_API_KEYS is not set');
  }, 150_000);
});
