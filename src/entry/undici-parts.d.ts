// undici's own module for the one thing the Node transport uses, its connection pools. Importing the package's
// index instead loads all of undici (fetch, WebSocket, caches, mocks): about 8 MB more RSS, measured. The
// version is pinned.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';

  const AgentClass: typeof Agent;
  export default AgentClass;
}
