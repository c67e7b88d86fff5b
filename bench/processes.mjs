// Starts the servers under test, each in its own Node process on its own 127.0.0.1 port, and makes sure none
// outlives the runner. Each server's stdout/stderr goes to a log file (the gateway logs one line per request),
// so the runner spends no CPU reading them; readiness is the `listening on http://...` line in that file.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './stats.mjs';

/**
 * @typedef {{ name: string, pid: number, url: string, logFile: string, stop: (graceMs?: number) => Promise<void> }} Server
 */

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {string | undefined} */
let logDir;

/** A fresh temporary folder for this run's server logs. */
export function logDirectory() {
  logDir ??= mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  return logDir;
}

/** @param {string} file */
function tail(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/**
 * Runs `node <args>` with `env` and waits (at most `timeoutMs`) for it to print its 127.0.0.1 URL.
 * @param {{ name: string, args: string[], env: Record<string, string | undefined>, timeoutMs?: number }} spec
 * @returns {Promise<Server>}
 */
export async function startServer({ name, args, env, timeoutMs = 15_000 }) {
  const logFile = join(logDirectory(), `${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logFile)}`,
      );
    }
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(logFile, 'utf8'));
    if (match?.[1] && child.pid !== undefined) {
      return { name, pid: child.pid, url: match[1], logFile, stop: (graceMs) => stopChild(child, graceMs) };
    }
    await sleep(50);
  }
  throw new Error(`${name} did not print its URL within ${timeoutMs} ms:\n${tail(logFile)}`);
}

/** `npm run build`, its output on stderr (stdout is for the report); throws when it fails. */
export function build() {
  const result = spawnSync('npm', ['run', 'build', '--silent'], {
    stdio: ['ignore', 2, 2],
    timeout: 180_000,
  });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal})`);
}

/**
 * Sends SIGTERM to one server, waits up to `graceMs` for it to exit, then SIGKILLs it.
 * @param {import('node:child_process').ChildProcess} child
 */
async function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(graceMs)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Sends SIGTERM to every server, waits up to `graceMs` for them to exit, then SIGKILLs the rest. */
export async function stopAll(graceMs = 3000) {
  const running = [...children];
  const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGTERM');
  await Promise.race([Promise.all(exited), sleep(graceMs)]);
  killAllNow();
}

/** Synchronous last resort (for `process.on('exit')`): SIGKILL every server still running. */
export function killAllNow() {
  for (const child of children) child.kill('SIGKILL');
}

/** Deletes the log folder (kept when `keep` is set, e.g. after a failure, and its path returned). */
export function removeLogs(keep = false) {
  if (logDir === undefined) return undefined;
  if (keep) return logDir;
  rmSync(logDir, { recursive: true, force: true });
  return undefined;
}
