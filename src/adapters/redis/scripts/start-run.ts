import { INDEX_KEYS_LUA } from '../keys.js';
import { EMIT_EVENT, MOVE_STATUS, MOVE_STATUS_INDEXES, READ_SESSION, STORE_CLOCK_MS } from './lua-helpers.js';

/** Lua: moves an `active` session to `running` and gives the run its token and lease. */
export const START_RUN = `
--[[
  start-run: active -> running, recording the run token and lease expiry; emits 'transitioned'.

  KEYS[1] session hash  {prefix}:s:<id>
  KEYS[2] event stream  {prefix}:events
  KEYS[3] run tokens    {prefix}:runs    (hash: session id -> token)
  KEYS[4] run leases    {prefix}:leases  (sorted set: session id by lease expiry ms, Redis time)

  ARGV[1] index key base {prefix}:i: (same hash tag, so same Cluster slot)
  ARGV[2] session id
  ARGV[3] run token
  ARGV[4] lease length, ms (the expiry is Redis TIME + this)
  ARGV[5] now, ms
  ARGV[6] event stream max length (approximate trim)

  Returns, with <hash> a flat field/value list as HGETALL gives it:
    {'not_found'}
    {'status_conflict', <current>}   the session is not active (e.g. another run holds it)
    {'started', <previous>, <next>}
]]
${READ_SESSION}
${INDEX_KEYS_LUA}
${MOVE_STATUS_INDEXES}
${MOVE_STATUS}
${EMIT_EVENT}
${STORE_CLOCK_MS}

local current, session = readSession(KEYS[1])
if #current == 0 then
  return {'not_found'}
end
if session.status ~= 'active' then
  return {'status_conflict', current}
end
local id = ARGV[2]
local started = moveStatus(KEYS[1], ARGV[1], id, session, 'running', ARGV[5], {})
redis.call('HSET', KEYS[3], id, ARGV[3])
redis.call('ZADD', KEYS[4], storeClockMs() + tonumber(ARGV[4]), id)
emitEvent(KEYS[2], ARGV[6], 'transitioned', 'active', started)
return {'started', current, started}
`;
