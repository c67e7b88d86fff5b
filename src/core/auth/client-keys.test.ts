import { describe, expect, it } from 'vitest';
import { presentedKeys } from './client-keys.js';

describe('presentedKeys', () => {
  it('reads a Bearer key', () => {
    expect(presentedKeys(new Headers({ authorization: 'Bearer k1' }))).toEqual(['k1']);
  });

  it.each([
    'bearer k1',
    'BEARER k1',
    'BeArEr k1',
    'Bearer    k1',
    'Bearer\tk1',
    '  Bearer k1  ',
    'Bearer k1 \t',
  ])('reads %j as k1 (case-insensitive scheme, trimmed)', (value) => {
    expect(presentedKeys(new Headers({ authorization: value }))).toEqual(['k1']);
  });

  it('reads X-API-KEY, trimmed, with any header name case', () => {
    expect(presentedKeys(new Headers({ 'X-API-KEY': '  k2 ' }))).toEqual(['k2']);
    expect(presentedKeys(new Headers({ 'x-api-key': 'k2' }))).toEqual(['k2']);
  });

  it('reads both, Bearer first', () => {
    expect(presentedKeys(new Headers({ 'x-api-key': 'k2', authorization: 'Bearer k1' }))).toEqual([
      'k1',
      'k2',
    ]);
  });

  it('returns no keys when neither header is present', () => {
    expect(presentedKeys(new Headers({ 'content-type': 'application/json' }))).toEqual([]);
  });

  it.each(['Bearer', 'Bearer ', 'Bearer    ', 'Basic dXNlcjpwYXNz', 'k1', 'Bearerk1', 'Token k1'])(
    'ignores the authorization value %j',
    (value) => {
      expect(presentedKeys(new Headers({ authorization: value }))).toEqual([]);
    },
  );

  it('ignores an empty or blank X-API-KEY', () => {
    expect(presentedKeys(new Headers({ 'x-api-key': '' }))).toEqual([]);
    expect(presentedKeys(new Headers({ 'x-api-key': '   ' }))).toEqual([]);
  });

  it('keeps inner characters of the key as they are', () => {
    expect(presentedKeys(new Headers({ authorization: 'Bearer sk-a.b_c/d+e=' }))).toEqual(['sk-a.b_c/d+e=']);
  });
});
