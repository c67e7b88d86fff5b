import { matchesAny } from './glob.js';

/** Whether an endpoint (a path relative to `/v1/`, e.g. `chat/completions`) may be forwarded. */
export type PathAllowList = (endpoint: string) => boolean;

const V1 = '/v1/';
const ESCAPE = /%([0-9A-Fa-f]{2})/g;
/** RFC 3986 §2.3: unreserved characters mean the same escaped or not. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The endpoint of a `/v1/...` path, as an allow-list matches it: the part after `/v1/`, with escaped unreserved
 * characters decoded (`%63hat/completions` is `chat/completions` to a provider, so it is to the list too).
 * Other escapes stay as they are, so they match only a pattern that spells them so (or a `*`).
 *
 * @example
 * endpointOf('/v1/audio/transcriptions'); // 'audio/transcriptions'
 */
export function endpointOf(path: string): string {
  const endpoint = path.startsWith(V1) ? path.slice(V1.length) : path;
  if (!endpoint.includes('%')) return endpoint;
  return endpoint.replace(ESCAPE, (escaped, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escaped;
  });
}

/**
 * The check for a list of endpoint globs relative to `/v1/` (`chat/completions`, `audio/*`): a pattern names
 * one endpoint exactly, `*` stands for any run of characters (`/` included), matched in linear time. Undefined
 * (every endpoint allowed) without a list. A per-key policy narrows it with {@link allowedByAll}.
 *
 * @example
 * const allowed = pathAllowList(['chat/completions', 'audio/*']);
 * allowed?.(endpointOf('/v1/files')); // false
 */
export function pathAllowList(globs: readonly string[] | undefined): PathAllowList | undefined {
  return globs === undefined ? undefined : matchesAny(globs);
}

/**
 * An endpoint allowed only where every given list (gateway-wide, then per key) allows it; undefined lists allow
 * everything.
 *
 * @example
 * allowedByAll([gatewayList, keyList])('files'); // false unless both allow files
 */
export function allowedByAll(lists: readonly (PathAllowList | undefined)[]): PathAllowList | undefined {
  const given = lists.filter((list): list is PathAllowList => list !== undefined);
  if (given.length <= 1) return given[0];
  return (endpoint) => given.every((allowed) => allowed(endpoint));
}
