import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors/gateway-error.js';
import { forwardedTarget, upstreamPrefix } from './upstream-url.js';

/** Asserts that forwardedTarget refuses the URL with the given status and code. */
function expectRejected(requestUrl: string, status = 400, code = 'invalid_path'): void {
  let thrown: unknown;
  try {
    forwardedTarget(requestUrl);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${JSON.stringify(requestUrl)} to be rejected`).toBeInstanceOf(InvalidRequestError);
  const error = thrown as InvalidRequestError;
  expect(error.status).toBe(status);
  expect(error.code).toBe(code);
  expect(error.type).toBe('invalid_request_error');
}

describe('upstreamPrefix', () => {
  it.each([
    ['https://api.groq.com/openai/v1', 'https://api.groq.com/openai'],
    ['https://api.openai.com/v1', 'https://api.openai.com'],
    ['https://api.fireworks.ai/inference', 'https://api.fireworks.ai/inference'],
    ['https://api.example.com', 'https://api.example.com'],
    ['https://api.example.com/v1beta', 'https://api.example.com/v1beta'],
    ['https://api.example.com/v10', 'https://api.example.com/v10'],
    ['https://api.example.com/apiv1', 'https://api.example.com/apiv1'],
    ['https://api.example.com/v1/openai', 'https://api.example.com/v1/openai'],
    ['https://api.example.com/v1/v1', 'https://api.example.com/v1'],
    ['http://localhost:8080/v1', 'http://localhost:8080'],
  ])('%s -> %s', (base, prefix) => {
    expect(upstreamPrefix(base)).toBe(prefix);
  });
});

describe('forwardedTarget: accepted targets', () => {
  it('returns the path', () => {
    expect(forwardedTarget('http://gw.example/v1/models')).toBe('/v1/models');
    expect(forwardedTarget('http://gw.example/v1/chat/completions')).toBe('/v1/chat/completions');
  });

  it('keeps the query', () => {
    expect(forwardedTarget('http://gw.example/v1/models?limit=2&after=x')).toBe('/v1/models?limit=2&after=x');
  });

  it('keeps a query that contains slashes, dots and backslashes', () => {
    expect(forwardedTarget('http://gw.example/v1/files?path=/../x\\y&u=//evil.example')).toBe(
      '/v1/files?path=/../x\\y&u=//evil.example',
    );
  });

  it('drops a fragment', () => {
    expect(forwardedTarget('http://gw.example/v1/models#top')).toBe('/v1/models');
    expect(forwardedTarget('http://gw.example/v1/models?a=1#frag?b=2')).toBe('/v1/models?a=1');
  });

  it('ignores the host, port and credentials of the request URL', () => {
    expect(forwardedTarget('http://evil.example:9999/v1/models')).toBe('/v1/models');
    expect(forwardedTarget('https://user:pw@other.example/v1/embeddings?x=1')).toBe('/v1/embeddings?x=1');
    expect(forwardedTarget('http://[::1]:8787/v1/models')).toBe('/v1/models');
  });

  it('keeps percent-encoding that is not a separator or a dot segment', () => {
    expect(forwardedTarget('http://gw.example/v1/files/a%20b%3Fc')).toBe('/v1/files/a%20b%3Fc');
    expect(forwardedTarget('http://gw.example/v1/files/%2e%2e%2e')).toBe('/v1/files/%2e%2e%2e');
  });

  it('allows dots inside segments and a trailing slash', () => {
    expect(forwardedTarget('http://gw.example/v1/models/gpt-4.1')).toBe('/v1/models/gpt-4.1');
    expect(forwardedTarget('http://gw.example/v1/...')).toBe('/v1/...');
    expect(forwardedTarget('http://gw.example/v1/models/')).toBe('/v1/models/');
    expect(forwardedTarget('http://gw.example/v1/')).toBe('/v1/');
  });

  it('accepts the URL of a real Request', () => {
    expect(forwardedTarget(new Request('http://gw.example/v1/models?x=1').url)).toBe('/v1/models?x=1');
  });
});

describe('forwardedTarget: rejected targets', () => {
  it.each([
    'http://gw.example/v1//x',
    'http://gw.example/v1/a//b',
    'http://gw.example/v1/%2e%2e/x',
    'http://gw.example/v1/%2E%2E/x',
    'http://gw.example/v1/.%2e/x',
    'http://gw.example/v1/%2e./x',
    'http://gw.example/v1/%2e/x',
    'http://gw.example/v1/..%2fx',
    'http://gw.example/v1/..%2Fx',
    'http://gw.example/v1/%2F',
    'http://gw.example/v1/%2f',
    'http://gw.example/v1/%5c',
    'http://gw.example/v1/%5C..',
    'http://gw.example/v1/./x',
    'http://gw.example/v1/../x',
    'http://gw.example/v1/x/..',
    'http://gw.example/v1/x/.',
    'http://gw.example/v1/..',
    'http://gw.example/v1/x/../../admin',
    'http://gw.example/v1/..\\x',
    'http://gw.example/v1/x\\..\\..\\admin',
    'http://gw.example/v1/a\\b',
    'http://gw.example/v1/../x?y=1',
  ])('rejects %j', (url) => {
    expectRejected(url);
  });

  it.each([
    'http://gw.example/',
    'http://gw.example/v1',
    'http://gw.example/v2/models',
    'http://gw.example/V1/models',
    'http://gw.example/admin',
    'http://gw.example/v1models',
    'http://gw.example//v1/models',
    'http://gw.example/%76%31/models',
    'http://gw.example/./v1/models',
    'http://gw.example/health?x=/v1/models',
    'http://gw.example/v1\\..\\admin',
  ])('rejects the non-/v1/ path %j as an unknown route (404)', (url) => {
    expectRejected(url, 404, 'unknown_url');
  });

  it('rejects a URL without any path', () => {
    expect(() => forwardedTarget('http://gw.example')).toThrow(InvalidRequestError);
  });

  it('rejects with a message that names the rule but not the path', () => {
    try {
      forwardedTarget('http://gw.example/v1/%2e%2e/secret-admin');
      expect.unreachable('expected a rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      const message = (error as Error).message;
      expect(message).toContain('not allowed');
      expect(message).not.toContain('secret-admin');
    }
  });
});

describe('forwardedTarget + upstreamPrefix: the upstream host never changes', () => {
  const prefixes = [
    upstreamPrefix('https://api.groq.com/openai/v1'),
    upstreamPrefix('https://api.fireworks.ai/inference'),
    upstreamPrefix('http://127.0.0.1:8000'),
    upstreamPrefix('https://api.example.com/v1'),
  ];
  const tricky = [
    'http://gw.example/v1/models',
    'http://gw.example/v1/@evil.example',
    'http://gw.example/v1/models@evil.example/x',
    'http://gw.example/v1/models?x=@evil.example',
    'http://gw.example/v1/models?u=//evil.example/',
    'http://gw.example/v1/:@evil.example',
    'http://gw.example/v1/evil.example:443',
    'http://gw.example/v1/models#@evil.example',
    'http://evil.example/v1/models',
    'http://gw.example/v1/%40evil.example',
    'http://gw.example/v1/x?%2F%2Fevil.example',
    'http://gw.example/v1/.../x',
    'http://gw.example/v1/a.b/c',
    'http://gw.example/v1/?#',
  ];

  for (const prefix of prefixes) {
    const expectedHost = new URL(prefix).host;
    it.each(tricky)(`keeps ${expectedHost} for %j`, (url) => {
      const target = forwardedTarget(url);
      const upstream = new URL(prefix + target);
      expect(upstream.host).toBe(expectedHost);
      expect(upstream.protocol).toBe(new URL(prefix).protocol);
      expect(upstream.username).toBe('');
      expect(upstream.password).toBe('');
      // The resolved path stays under the prefix's path.
      expect(upstream.pathname.startsWith(`${new URL(prefix).pathname.replace(/\/$/, '')}/v1/`)).toBe(true);
    });
  }

  it.each([
    'http://gw.example/v1/.\t./.\t./admin',
    'http://gw.example/v1/.\n./.\n./admin',
    'http://gw.example/v1/..\r/..\r/admin',
    'http://gw.example/v1/%2\te%2e/x',
  ])('keeps the upstream path under the prefix for %j (tab/CR/LF are stripped by URL parsing)', (url) => {
    const prefix = upstreamPrefix('https://api.example.com/base/v1');
    let target: string;
    try {
      target = forwardedTarget(url);
    } catch (error) {
      // Refusing it is a correct answer too.
      expect(error).toBeInstanceOf(InvalidRequestError);
      return;
    }
    const upstream = new URL(prefix + target);
    expect(upstream.host).toBe('api.example.com');
    expect(upstream.pathname.startsWith('/base/v1/')).toBe(true);
  });
});
