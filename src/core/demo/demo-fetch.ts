import type { UpstreamFetch } from '../providers/transport.js';
import { demoChat } from './demo-chat.js';
import { demoEmbeddings } from './demo-embeddings.js';
import { demoResponses } from './demo-responses.js';
import { CHAT_MODEL, type DemoRequest, EMBEDDING_MODEL, error, json, readJson } from './demo-shared.js';

/** The POST endpoints the demo serves, and the model each accepts. */
const ENDPOINTS: Readonly<Record<string, { model: string; answer: (request: DemoRequest) => Response }>> = {
  '/v1/chat/completions': { model: CHAT_MODEL, answer: demoChat },
  '/v1/responses': { model: CHAT_MODEL, answer: demoResponses },
  '/v1/embeddings': { model: EMBEDDING_MODEL, answer: demoEmbeddings },
};

const MODELS = [CHAT_MODEL, EMBEDDING_MODEL];

function modelEntry(id: string, created: number) {
  return { id, object: 'model', created, owned_by: 'gateway-demo' };
}

/** A model the demo does not have, refused as OpenAI refuses one: 404 `model_not_found`. */
function unknownModel(model: string): Response {
  return error(
    404,
    `The model \`${model.slice(0, 200)}\` does not exist or you do not have access to it. The demo provider serves ${MODELS.join(' and ')}.`,
    'model_not_found',
  );
}

/**
 * The built-in demo provider: answers OpenAI-shaped chat completions (plain, streamed, with usage, a canned
 * tool call), the Responses API (plain and streamed), embeddings and the model list without any network, so a
 * fresh install works end to end before any provider is set. Unknown models get 404 `model_not_found`.
 *
 * @example
 * const demo = createDemoFetch({ now: Date.now });
 * await demo('http://demo.invalid/v1/models', { method: 'GET' }); // 200 {"object":"list",...}
 */
export function createDemoFetch(options: { now: () => number; chunkDelayMs?: number }): UpstreamFetch {
  const delayMs = options.chunkDelayMs ?? 40;
  let serial = 0;
  return async function demoFetch(url, init) {
    const path = new URL(url).pathname;
    const method = init.method ?? 'GET';
    const created = Math.floor(options.now() / 1000);
    if (method === 'GET' && path === '/v1/models') {
      return json(200, { object: 'list', data: MODELS.map((id) => modelEntry(id, created)) });
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      return MODELS.includes(id) ? json(200, modelEntry(id, created)) : unknownModel(id);
    }
    const endpoint = Object.hasOwn(ENDPOINTS, path) ? ENDPOINTS[path] : undefined;
    if (endpoint === undefined || method !== 'POST') {
      return error(404, `The demo provider does not serve ${method} ${path}.`, 'unknown_url');
    }
    const body = readJson(init);
    if (body === undefined) return error(400, 'The request body must be a JSON object.');
    if (typeof body.model !== 'string' || body.model === '') {
      return error(400, 'You must provide a model parameter.');
    }
    if (body.model !== endpoint.model) return unknownModel(body.model);
    return endpoint.answer({ body, created, serial: ++serial, delayMs, signal: init.signal });
  };
}
