/**
 * The Redis engine's Lua scripts: each runs atomically inside Redis, so no other client's command falls between
 * its read and its write. Counters: `KEYS` are the counter keys; the rule for room is the one of `hasRoom`.
 */

/** ARGV: per counter `limit, cost, ttl` in ms (-1: never: the caller's clock sets it, not Redis's). Returns `{allowed (1/0), used before…}`. */
export const ACQUIRE = `
local before = {}
local allowed = 1
for i = 1, #KEYS do
  local limit = tonumber(ARGV[i * 3 - 2])
  local cost = tonumber(ARGV[i * 3 - 1])
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  before[i] = used
  if used >= limit or used + cost > limit then allowed = 0 end
end
if allowed == 1 then
  for i = 1, #KEYS do
    local cost = tonumber(ARGV[i * 3 - 1])
    local ttl = tonumber(ARGV[i * 3])
    if cost > 0 then
      redis.call('INCRBY', KEYS[i], cost)
      if ttl >= 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
    end
  end
end
local answer = { allowed }
for i = 1, #KEYS do answer[i + 1] = before[i] end
return answer
`;

/** ARGV: `now`, then per counter `delta, end, ttl` (-1: never). A bucket that ended takes nothing. */
export const SETTLE = `
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  local delta = tonumber(ARGV[i * 3 - 1])
  local bucket_end = tonumber(ARGV[i * 3])
  local ttl = tonumber(ARGV[i * 3 + 1])
  if delta ~= 0 and (bucket_end < 0 or bucket_end > now) then
    local current = redis.call('GET', KEYS[i])
    if current or delta > 0 then
      local used = math.max(0, tonumber(current or '0') + delta)
      redis.call('SET', KEYS[i], used)
      if ttl >= 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
    end
  end
end
return 0
`;

/** KEYS: meta, policies, revoked, hashes, version. ARGV: name, sha256, meta JSON, policy JSON. Returns 1 or 0. */
export const CREATE_KEY = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HEXISTS', KEYS[4], ARGV[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[1])
redis.call('INCR', KEYS[5])
return 1
`;

/** The record's fields after a change, or nil when there is no such key. */
const RECORD = `return { redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[1]),
  redis.call('HGET', KEYS[3], ARGV[1]) or '' }`;

/** KEYS as CREATE_KEY. ARGV: name, policy JSON. */
export const SET_POLICY = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return nil end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[5])
${RECORD}
`;

/** KEYS as CREATE_KEY. ARGV: name, now. Revoking again keeps the first time and changes nothing. */
export const REVOKE_KEY = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return nil end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 1 then redis.call('INCR', KEYS[5]) end
${RECORD}
`;

/** KEYS as CREATE_KEY. ARGV: name ('' for every key). Returns `{version, name, meta, policy, revoked, …}`. */
export const READ_KEYS = `
local answer = { tonumber(redis.call('GET', KEYS[5]) or '0') }
local names = ARGV[1] == '' and redis.call('HKEYS', KEYS[1]) or { ARGV[1] }
for _, name in ipairs(names) do
  local meta = redis.call('HGET', KEYS[1], name)
  if meta then
    table.insert(answer, name)
    table.insert(answer, meta)
    table.insert(answer, redis.call('HGET', KEYS[2], name))
    table.insert(answer, redis.call('HGET', KEYS[3], name) or '')
  end
end
return answer
`;
