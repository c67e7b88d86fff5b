import { describe, expect, it } from 'vitest';
import { createSecretCheck } from './secret-check.js';

describe('createSecretCheck', () => {
  it('accepts the secret among the presented keys, nothing else', () => {
    const check = createSecretCheck('admin-secret');
    expect(check(['admin-secret'])).toBe(true);
    expect(check(['other', 'admin-secret'])).toBe(true);
    expect(check(['admin-secre', 'admin-secret ', 'ADMIN-SECRET'])).toBe(false);
    expect(check([])).toBe(false);
  });

  it('accepts nothing when no secret is configured', () => {
    expect(createSecretCheck(undefined)([''])).toBe(false);
  });
});
