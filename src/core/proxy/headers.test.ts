import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../exchange/header-map.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';

function names(headers: HeaderMap): string[] {
  return Array.from(headers, ([name]) => name).sort();
}

const HOP_BY_HOP: ReadonlyArray<readonly [string, string]> = [
  ['connection', 'keep-alive'],
  ['keep-alive', 'timeout=5'],
  ['proxy-connection', 'keep-alive'],
  ['te', 'trailers'],
  ['trailer', 'x-checksum'],
  ['transfer-encoding', 'chunked'],
  ['upgrade', 'websocket'],
  ['proxy-authorization', 'Basic c2VjcmV0'],
  ['proxy-authenticate', 'Basic'],
];

const BEARER = [['authorization', 'Bearer tok']] as const;

describe('upstreamRequestHeaders', () => {
  it.each(HOP_BY_HOP)('drops the hop-by-hop header %s', (name, value) => {
    const headers = upstreamRequestHeaders(
      new Headers({ [name]: value, 'content-type': 'application/json' }),
      [],
    );
    expect(headers.has(name)).toBe(false);
    expect(headers.get('content-type')).toBe('application/json');
  });

  it('drops headers named in Connection', () => {
    const incoming = new Headers({
      connection: 'close, X-Foo , x-bar',
      'x-foo': '1',
      'x-bar': '2',
      'x-baz': '3',
    });
    expect(names(upstreamRequestHeaders(incoming, []))).toEqual(['x-baz']);
  });

  it('drops a single header named in Connection: x-foo', () => {
    const incoming = new Headers({ connection: 'x-foo', 'x-foo': 'v', 'user-agent': 'ua' });
    const headers = upstreamRequestHeaders(incoming, []);
    expect(headers.has('x-foo')).toBe(false);
    expect(headers.get('user-agent')).toBe('ua');
  });

  it.each([
    ['host', 'gw.example'],
    ['content-length', '12'],
    ['authorization', 'Bearer client-key'],
    ['x-api-key', 'client-key'],
    ['cookie', 'session=abc'],
    ['accept-encoding', 'gzip, br'],
    ['expect', '100-continue'],
    ['forwarded', 'for=1.2.3.4'],
    ['x-forwarded-for', '1.2.3.4'],
    ['x-forwarded-host', 'gw.example'],
    ['x-forwarded-proto', 'https'],
    ['x-real-ip', '1.2.3.4'],
    ['true-client-ip', '1.2.3.4'],
    ['cf-connecting-ip', '1.2.3.4'],
    ['cf-ray', 'abc-FRA'],
    ['cf-ipcountry', 'DE'],
    ['cf-worker', 'gw.example'],
  ])('drops %s', (name, value) => {
    const headers = upstreamRequestHeaders(new Headers({ [name]: value }), []);
    expect(headers.has(name)).toBe(false);
    expect(names(headers)).toEqual([]);
  });

  it.each([
    ['x-forwarded-port', '443'],
    ['x-forwarded-user', 'alice'],
    ['x-forwarded-access-token', 'idp-token'],
  ])('drops every x-forwarded-* header, including %s', (name, value) => {
    const headers = upstreamRequestHeaders(new Headers({ [name]: value }), []);
    expect(headers.has(name)).toBe(false);
  });

  it('keeps content-type, accept, user-agent, openai-beta and x-stainless-* with their values', () => {
    const incoming = new Headers({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'user-agent': 'OpenAI/JS 6.0.0',
      'openai-beta': 'assistants=v2',
      'x-stainless-lang': 'js',
      'x-stainless-retry-count': '0',
      'idempotency-key': 'abc',
    });
    const headers = upstreamRequestHeaders(incoming, []);
    expect(Object.fromEntries(headers)).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'user-agent': 'OpenAI/JS 6.0.0',
      'openai-beta': 'assistants=v2',
      'x-stainless-lang': 'js',
      'x-stainless-retry-count': '0',
      'idempotency-key': 'abc',
    });
  });

  it.each([
    'openai-organization',
    'openai-project',
    'via',
    'x-client-ip',
    'client-ip',
    'x-cluster-client-ip',
    'fastly-client-ip',
    'proxy-foo',
    'keep-alive',
    'te',
    'trailer',
    'upgrade',
  ])('drops %s from the client whatever Connection says (workerd hides Connection)', (name) => {
    const headers = upstreamRequestHeaders(new Headers({ [name]: 'x' }), []);
    expect(headers.has(name)).toBe(false);
  });

  it('sets the provider authorization in place of the client one', () => {
    const incoming = new Headers({ authorization: 'Bearer client-key', 'x-api-key': 'client-key' });
    const headers = upstreamRequestHeaders(incoming, BEARER);
    expect(headers.get('authorization')).toBe('Bearer tok');
    expect(headers.has('x-api-key')).toBe(false);
    expect(names(headers)).toEqual(['authorization']);
  });

  it('sends no authorization when the provider has no token', () => {
    const headers = upstreamRequestHeaders(new Headers({ authorization: 'Bearer client-key' }), []);
    expect(headers.has('authorization')).toBe(false);
  });

  it('sets the provider headers, over a client header of the same name', () => {
    const incoming = new Headers({ 'x-tenant': 'client', accept: 'application/json' });
    const headers = upstreamRequestHeaders(incoming, [
      ['api-key', 'az-key'],
      ['x-tenant', 'provider'],
    ]);
    expect(headers.get('x-tenant')).toBe('provider');
    expect(headers.get('api-key')).toBe('az-key');
    expect(headers.get('accept')).toBe('application/json');
  });

  it('never carries the client key in any header', () => {
    const incoming = new Headers({
      authorization: 'Bearer client-SECRET',
      'x-api-key': 'client-SECRET',
      'api-key': 'client-SECRET',
      cookie: 'k=client-SECRET',
      'content-type': 'application/json',
    });
    for (const [, value] of upstreamRequestHeaders(incoming, BEARER)) {
      expect(value).not.toContain('client-SECRET');
    }
  });

  it('does not modify the incoming headers', () => {
    const incoming = new Headers({ authorization: 'Bearer client-key', connection: 'x-foo', 'x-foo': '1' });
    upstreamRequestHeaders(incoming, BEARER);
    expect(Object.fromEntries(incoming)).toEqual({
      authorization: 'Bearer client-key',
      connection: 'x-foo',
      'x-foo': '1',
    });
  });
});

describe('clientResponseHeaders', () => {
  it.each(HOP_BY_HOP)('drops the hop-by-hop header %s', (name, value) => {
    const headers = clientResponseHeaders(new Headers({ [name]: value, 'content-type': 'application/json' }));
    expect(headers.has(name)).toBe(false);
    expect(headers.get('content-type')).toBe('application/json');
  });

  it('drops headers named in Connection', () => {
    const upstream = new Headers({ connection: 'X-Internal', 'x-internal': 'secret', 'x-request-id': 'r1' });
    expect(Object.fromEntries(clientResponseHeaders(upstream))).toEqual({ 'x-request-id': 'r1' });
  });

  it.each([
    ['set-cookie', '__cf_bm=abc; path=/'],
    ['alt-svc', 'h3=":443"'],
    ['access-control-allow-origin', 'https://provider.example'],
    ['access-control-allow-credentials', 'true'],
    ['access-control-expose-headers', 'x-request-id'],
    ['access-control-allow-headers', '*'],
  ])('drops %s', (name, value) => {
    const headers = clientResponseHeaders(new Headers({ [name]: value }));
    expect(headers.has(name)).toBe(false);
    expect(names(headers)).toEqual([]);
  });

  it('keeps content-encoding and content-length that the transport passed on (the body is still encoded)', () => {
    const upstream = new Headers({
      'content-encoding': 'zstd',
      'content-length': '123',
      'content-type': 'application/json',
    });
    expect(Object.fromEntries(clientResponseHeaders(upstream))).toEqual({
      'content-encoding': 'zstd',
      'content-length': '123',
      'content-type': 'application/json',
    });
  });

  it('keeps content-length when there is no content-encoding', () => {
    const upstream = new Headers({ 'content-length': '456', 'content-type': 'application/json' });
    const headers = clientResponseHeaders(upstream);
    expect(headers.get('content-length')).toBe('456');
    expect(headers.get('content-type')).toBe('application/json');
  });

  it('keeps content-type, x-ratelimit-*, openai-* and request ids', () => {
    const upstream = new Headers({
      'content-type': 'text/event-stream; charset=utf-8',
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-requests': '6ms',
      'openai-processing-ms': '250',
      'openai-version': '2020-10-01',
      'x-request-id': 'req_1',
      'cache-control': 'no-cache',
      'retry-after': '3',
    });
    expect(Object.fromEntries(clientResponseHeaders(upstream))).toEqual(Object.fromEntries(upstream));
  });

  it.each([
    ['location', 'http://10.0.0.1/internal'],
    ['content-location', '/internal/x'],
    ['refresh', '0; url=http://internal'],
    ['server', 'nginx/1.2'],
    ['x-powered-by', 'Express'],
    ['via', '1.1 internal-proxy'],
    ['www-authenticate', 'Basic realm="internal"'],
    ['strict-transport-security', 'max-age=31536000'],
    ['alt-svc', 'h3=":443"'],
    ['nel', '{}'],
    ['report-to', '{}'],
    ['proxy-status', 'x'],
  ])('does not pass the provider %s on to the client', (name, value) => {
    const headers = clientResponseHeaders(new Headers({ [name]: value, 'content-type': 'application/json' }));
    expect(names(headers)).toEqual(['content-type']);
  });

  it('does not modify the upstream headers', () => {
    const upstream = new Headers({ 'content-encoding': 'br', 'content-length': '9', 'set-cookie': 'a=b' });
    clientResponseHeaders(upstream);
    expect(upstream.get('content-encoding')).toBe('br');
    expect(upstream.get('content-length')).toBe('9');
    expect(upstream.has('set-cookie')).toBe(true);
  });
});
