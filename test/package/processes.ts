import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A process started in a group of its own (npm, sh, node...), its output collected. */
export interface Started {
  readonly child: ChildProcess;
  output(): string;
  /** Kills the whole group, whatever is left of it. */
  killGroup(): void;
  exited(): Promise<void>;
}

/** Starts `command` in its own process group, so the test can end it and everything it started. */
export function startGroup(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Started {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const done = child.exitCode !== null ? Promise.resolve() : once(child, 'exit').then(() => {});
  return {
    child,
    output: () => output,
    killGroup() {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
    exited: () => done,
  };
}

/** Polls until `find` returns a value, the process exits, or `timeoutMs` passes. */
export async function waitFor<T>(
  started: Started,
  find: () => T | undefined,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = find();
    if (found !== undefined) return found;
    if (started.child.exitCode !== null || started.child.signalCode !== null) {
      throw new Error(`exited before ${what}:\n${started.output().slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${what} within ${timeoutMs} ms:\n${started.output().slice(-2000)}`);
}

/** The URL a gateway prints when it listens. */
export function listeningUrl(output: string): string | undefined {
  return /listening on (http:\/\/\S+)/.exec(output)?.[1];
}

/** The client key a gateway generated for the run. */
export function generatedKey(output: string): string | undefined {
  return /generated a client key[^:]*: (\S+)/.exec(output)?.[1];
}

/** Whether something can listen on the port now. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on at the moment (the kernel's pick), for a tool that wants a number. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A chat completion from the demo provider through the gateway at `url`. */
export async function demoAnswer(url: string, key: string): Promise<string> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'Hi' }] }),
  });
  const body = (await response.json()) as { choices?: [{ message: { content: string } }] };
  if (response.status !== 200) throw new Error(`status ${response.status}: ${JSON.stringify(body)}`);
  return body.choices?.[0].message.content ?? '';
}
