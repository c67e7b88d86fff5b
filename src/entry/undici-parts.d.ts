// undici's own module for the one thing the Node transport uses, its connection pools. Importing the package's
// index instead loads all of undici (fetch, WebSocket, caches, mocks): about 8 MB more RSS, measured. The
// version is pinned.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';

  const AgentClass: typeof Agent;
  export default AgentClass;
}

// Header names as undici reads them: a well-known name's lowercase string looked up from its bytes (no
// decoding, no allocation), any other decoded as latin1 and lowercased. Loaded with the pools already.
declare module 'undici/lib/core/util.js' {
  export function headerNameToString(value: Buffer | string): string;
}
