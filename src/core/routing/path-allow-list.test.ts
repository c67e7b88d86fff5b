import { describe, expect, it } from 'vitest';
import { allowedByAll, endpointOf, pathAllowList } from './path-allow-list.js';

describe('pathAllowList', () => {
  it('allows every endpoint without a list', () => {
    expect(pathAllowList(undefined)).toBeUndefined();
  });

  it('matches endpoints exactly and globs with * across slashes', () => {
    const allowed = pathAllowList(['chat/completions', 'audio/*', 'models']);
    expect(allowed?.('chat/completions')).toBe(true);
    expect(allowed?.('chat/completions/abc')).toBe(false);
    expect(allowed?.('audio/transcriptions')).toBe(true);
    expect(allowed?.('models')).toBe(true);
    expect(allowed?.('models/gpt-4o')).toBe(false);
    expect(allowed?.('files')).toBe(false);
    expect(allowed?.('Chat/Completions')).toBe(false);
  });

  it('narrows with a second list: allowed only where both allow', () => {
    const both = allowedByAll([pathAllowList(['chat/*', 'models']), pathAllowList(['models', 'files'])]);
    expect(both?.('models')).toBe(true);
    expect(both?.('chat/completions')).toBe(false);
    expect(both?.('files')).toBe(false);
    expect(allowedByAll([undefined, undefined])).toBeUndefined();
  });
});

describe('endpointOf', () => {
  it('takes the path after /v1/ with escaped unreserved characters decoded, other escapes kept', () => {
    expect(endpointOf('/v1/chat/completions')).toBe('chat/completions');
    expect(endpointOf('/v1/%63hat/%43ompletions')).toBe('chat/Completions');
    expect(endpointOf('/v1/files/a%20b')).toBe('files/a%20b');
  });
});
