import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  demoAnswer,
  generatedKey,
  listeningUrl,
  portIsFree,
  type Started,
  startGroup,
  waitFor,
} from './processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GRACE_MS = 2_000;

const running: Started[] = [];
afterEach(() => {
  for (const started of running.splice(0)) started.killGroup();
});

describe('npm start', () => {
  it('SIGTERM to the npm process reaches the gateway: the port is free within the grace period', async () => {
    const started = startGroup('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', SHUTDOWN_GRACE_MS: String(GRACE_MS) },
    });
    running.push(started);
    // The build is current when the suite runs (npm test builds first); a stale one is rebuilt, hence the margin.
    const url = await waitFor(started, () => listeningUrl(started.output()), 'listening line', 120_000);
    const key = await waitFor(started, () => generatedKey(started.output()), 'generated key', 1_000);
    expect(await demoAnswer(url, key)).toContain('demo provider');
    const port = Number(new URL(url).port);

    started.child.kill('SIGTERM');
    const deadline = Date.now() + GRACE_MS + 2_000;
    let free = false;
    while (!free && Date.now() < deadline) {
      free = await portIsFree(port);
      if (!free) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(free).toBe(true);
    await started.exited();
    expect(started.output()).toContain('SIGTERM: no longer accepting connections');
  }, 150_000);
});
