export { presentedKeys } from './client-keys.js';
export type { KeyVerifier } from './key-verifier.js';
export { createKeyVerifier } from './key-verifier.js';
export { requireClientKey } from './require-client-key.js';
export { createSecretCheck } from './secret-check.js';
