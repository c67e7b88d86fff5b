import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/gateway-error.js';
import { parseConfig } from './parse-config.js';

const PASSWORD = 's3cret-PASS';

function problem(env: Readonly<Record<string, unknown>>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig: the state store', () => {
  it('keeps state in memory by default, failing closed with a 1 s deadline', () => {
    expect(parseConfig({})).toMatchObject({
      store: { engine: 'memory' },
      storeFailMode: 'closed',
      storeTimeoutMs: 1_000,
    });
  });

  it('uses SQLite for GATEWAY_DB and Redis for REDIS_URL', () => {
    expect(parseConfig({ GATEWAY_DB: ' ./state/gateway.db ' }).store).toEqual({
      engine: 'sqlite',
      path: './state/gateway.db',
    });
    const url = `rediss://gateway:${PASSWORD}@redis.internal:6380/2`;
    expect(parseConfig({ REDIS_URL: url }).store).toEqual({ engine: 'redis', url });
    expect(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).store).toEqual({
      engine: 'redis',
      url: 'redis://127.0.0.1:6379',
    });
  });

  it('reads STORE_FAIL_MODE (any case) and STORE_TIMEOUT_MS, from the environment or the file for the number', () => {
    expect(parseConfig({ STORE_FAIL_MODE: 'OPEN', STORE_TIMEOUT_MS: '250' })).toMatchObject({
      storeFailMode: 'open',
      storeTimeoutMs: 250,
    });
    expect(parseConfig({ GATEWAY_CONFIG: '{"storeTimeoutMs": 75}' }).storeTimeoutMs).toBe(75);
  });

  it('names each bad setting, never echoing a Redis password', () => {
    expect(problem({ REDIS_URL: `http://user:${PASSWORD}@host:6379` })).toBe(
      'Invalid configuration: REDIS_URL: must be a URL like redis://host:6379 or rediss://user:password@host:6380/0',
    );
    expect(problem({ REDIS_URL: `redis//user:${PASSWORD}` })).not.toContain(PASSWORD);
    expect(problem({ GATEWAY_DB: 'a.db', REDIS_URL: 'redis://h:1' })).toBe(
      'Invalid configuration: REDIS_URL: set GATEWAY_DB (SQLite, one process) or REDIS_URL (shared by every process), not both',
    );
    expect(problem({ STORE_FAIL_MODE: 'maybe' })).toBe(
      'Invalid configuration: STORE_FAIL_MODE: must be closed (refuse limited requests, 503) or open (let them through uncounted)',
    );
    expect(problem({ STORE_TIMEOUT_MS: '0' })).toBe(
      'Invalid configuration: STORE_TIMEOUT_MS: must be at least 1',
    );
    expect(problem({ GATEWAY_DB: 'a\0b' })).toBe(
      'Invalid configuration: GATEWAY_DB: must be a file path like ./gateway.db',
    );
  });
});
