import { connect } from 'node:net';
import { type StartTarget, startNodeTarget, startWorkerTarget } from './targets.js';

/** Runtimes the contract suite runs against: one suite, two targets (named as /stats names the runtime). */
export const targets: [string, StartTarget][] = [
  ['node', startNodeTarget],
  ['workers', startWorkerTarget],
];

export const CLIENT_KEY = 'client-key-ALPHA-1234';
export const OTHER_CLIENT_KEY = 'client-key-BETA-5678';
export const TOKENS = { a: 'sk-upstream-A-SECRET-aaaa', b: 'sk-upstream-B-SECRET-bbbb' };

export const auth = (key = CLIENT_KEY) => ({ authorization: `Bearer ${key}` });

/** Throws if a response (status line aside) or any text contains a provider token or client key. */
export function assertNoSecrets(text: string, secrets: readonly string[] = [...Object.values(TOKENS)]) {
  for (const secret of secrets) {
    if (text.includes(secret))
      throw new Error(`secret leaked: ${secret.slice(0, 12)}… found in ${text.slice(0, 200)}`);
  }
}

/** A response's headers and body as one text, for secret scanning. */
export async function responseText(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  return `${response.status}\n${headers}\n\n${await response.text()}`;
}

/** Whether `raw` holds one whole HTTP/1.1 response (by Content-Length, or a chunked body's last chunk). */
function complete(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const head = raw.subarray(0, end).toString('latin1').toLowerCase();
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
  if (length !== undefined) return raw.length - end - 4 >= Number(length);
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return raw.subarray(end).includes('\r\n0\r\n\r\n');
  return false;
}

/**
 * Sends one raw HTTP/1.1 request (so the request target is exactly what the test wrote, not what a URL
 * parser would make of it) and returns the raw response, once complete or once the server closes.
 */
export function rawRequest(baseUrl: string, lines: string[]): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    });
    let received = Buffer.alloc(0);
    const done = () => {
      socket.destroy();
      resolve(received.toString('utf8'));
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Some servers (workerd) keep the connection open despite Connection: close.
      if (complete(received)) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
  });
}

/** The status code of a raw HTTP response. */
export function rawStatus(raw: string): number {
  return Number(raw.slice(9, 12));
}
