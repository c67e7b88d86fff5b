// undici's own modules for the two things the Node transport uses. Importing the package's index instead loads
// all of undici (fetch, WebSocket, caches, mocks): about 8 MB more RSS, measured. The version is pinned.
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';

  const AgentClass: typeof Agent;
  export default AgentClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';

  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
