import { describe, expect, it } from 'vitest';
import { LightHeaders } from './header-map.js';

describe('LightHeaders', () => {
  it('reads and writes names in any case, keeping them lowercase', () => {
    const headers = new LightHeaders({ 'Content-Type': 'application/json' });
    headers.set('X-Request-ID', 'r1');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('CONTENT-TYPE')).toBe('application/json');
    expect(headers.has('x-request-id')).toBe(true);
    expect([...headers]).toEqual([
      ['content-type', 'application/json'],
      ['x-request-id', 'r1'],
    ]);
  });

  it('answers null and false for a field it does not have', () => {
    const headers = new LightHeaders();
    expect(headers.get('vary')).toBeNull();
    expect(headers.has('vary')).toBe(false);
  });

  it('joins a repeated field with ", " as a Web Headers does, and set replaces it', () => {
    const light = new LightHeaders();
    const web = new Headers();
    for (const target of [light, web]) {
      target.append('Vary', 'Accept');
      target.append('vary', 'Origin');
    }
    expect(light.get('vary')).toBe('Accept, Origin');
    expect(light.get('vary')).toBe(web.get('vary'));
    light.set('vary', 'Origin');
    expect(light.get('vary')).toBe('Origin');
  });

  it('deletes a field in any case', () => {
    const headers = new LightHeaders({ 'content-length': '12', etag: '"a"' });
    headers.delete('Content-Length');
    expect([...headers]).toEqual([['etag', '"a"']]);
  });

  it('keeps insertion order in forEach and iteration, and a replaced field keeps its place', () => {
    const headers = new LightHeaders({ b: '1', a: '2' });
    headers.set('b', '3');
    const seen: string[] = [];
    headers.forEach((value, name) => {
      seen.push(`${name}=${value}`);
    });
    expect(seen).toEqual(['b=3', 'a=2']);
  });

  it('is what a Web Response takes as its headers', () => {
    const headers = new LightHeaders({ 'content-type': 'text/plain', 'x-proxy-provider': 'p1' });
    const response = new Response('hi', { headers: Array.from(headers) });
    expect(response.headers.get('x-proxy-provider')).toBe('p1');
    expect(response.headers.get('content-type')).toBe('text/plain');
  });

  it('keeps the same answers past the size where it indexes its fields (a client may send thousands)', () => {
    const light = new LightHeaders();
    const web = new Headers();
    for (const target of [light, web]) {
      for (let i = 0; i < 2000; i++) target.append(`X-Field-${i}`, String(i));
      target.append('x-field-7', 'again');
      target.set('X-Field-1999', 'last');
      target.delete('x-field-3');
      target.append('x-field-3', 'back');
      target.delete('x-field-0');
    }
    expect(light.get('x-field-7')).toBe('7, again');
    expect(light.get('x-field-1999')).toBe('last');
    expect(light.has('x-field-0')).toBe(false);
    expect(light.get('x-field-1500')).toBe('1500');
    for (const name of ['x-field-3', 'x-field-7', 'x-field-1999', 'x-field-1000', 'x-field-0']) {
      expect(light.get(name)).toBe(web.get(name));
    }
    const names = [...light].map(([name]) => name);
    expect(names).toHaveLength(1999);
    expect(names.at(-1)).toBe('x-field-3');
    expect(new Set(names).size).toBe(1999);
  });
});
