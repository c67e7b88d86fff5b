import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNodeConfig } from './node-config.js';

const dir = mkdtempSync(join(tmpdir(), 'node-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadNodeConfig', () => {
  it('reads the file GATEWAY_CONFIG_FILE names, a byte-order mark at its start included', () => {
    const path = join(dir, 'bom.json');
    writeFileSync(
      path,
      `\uFEFF${JSON.stringify({ providers: [{ id: 'a', baseUrl: 'https://a.example' }] })}`,
    );
    expect(loadNodeConfig({ GATEWAY_CONFIG_FILE: path }).providers.map((provider) => provider.id)).toEqual([
      'a',
    ]);
  });

  it('says in one line why a file cannot be read', () => {
    expect(() => loadNodeConfig({ GATEWAY_CONFIG_FILE: join(dir, 'missing.json') })).toThrow(
      /^Invalid configuration: GATEWAY_CONFIG_FILE: cannot read .*missing\.json \(no such file\)$/,
    );
    expect(() => loadNodeConfig({ GATEWAY_CONFIG_FILE: dir })).toThrow(/cannot read .* \(a directory\)$/);
  });

  it('without GATEWAY_CONFIG_FILE reads the environment alone', () => {
    expect(loadNodeConfig({ GATEWAY_CONFIG_FILE: '  ' }).demo).toBe(true);
  });
});
