import { connect } from 'node:net';
import { type StartTarget, startNodeTarget } from './targets.js';

/** Runtimes the contract suite runs against (one suite, several targets). */
export const targets: [string, StartTarget][] = [['node', startNodeTarget]];

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

/**
 * Sends one raw HTTP/1.1 request (so the request target is exactly what the test wrote, not what a URL
 * parser would make of it) and returns the raw response.
 */
export function rawRequest(baseUrl: string, lines: string[]): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
  });
}

/** The status code of a raw HTTP response. */
export function rawStatus(raw: string): number {
  return Number(raw.slice(9, 12));
}
