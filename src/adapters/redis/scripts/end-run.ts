import { INDEX_KEYS_LUA } from '../keys.js';
import { DROP_RUN, EMIT_EVENT, MOVE_STATUS, MOVE_STATUS_INDEXES, READ_SESSION, STORE_CLOCK_MS } from './lua-helpers.js';

/** Lua: ends a run (running -> active | completed | failed), only for whoever still holds it. */
export const END_RUN = `
--[[
  end-run: moves a running session to its final status and drops the run, if the caller holds
  the run: by token (the runner), or because the lease expired by Redis's clock (the reaper).
  A caller that does not hold it changes nothing, which is why a handler that ignored a pause
  cannot overwrite 'paused'. Emits 'transitioned'.

  KEYS[1] session hash  {prefix}:s:<id>
  KEYS[2] event stream  {prefix}:events
  KEYS[3] run tokens    {prefix}:runs
  KEYS[4] run leases    {prefix}:leases

  ARGV[1] index key base {prefix}:i: (same hash tag, so same Cluster slot)
  ARGV[2] session id
  ARGV[3] expected version, or '' for any
  ARGV[4] run token, or '' (reaper)
  ARGV[5] '' (runner), or '1': end only if the lease has expired by Redis TIME (reaper)
  ARGV[6] new status: active, completed or failed
  ARGV[7] new metadata as JSON, or '' to keep it
  ARGV[8] now, ms
  ARGV[9] event stream max length (approximate trim)

  Returns, with <hash> a flat field/value list as HGETALL gives it:
    {'not_found'}
    {'not_holder'}                  a reaper call also drops an expired lease left behind
    {'version_conflict', <current>}
    {'ended', <previous>, <next>}
]]
${READ_SESSION}
${INDEX_KEYS_LUA}
${MOVE_STATUS_INDEXES}
${MOVE_STATUS}
${EMIT_EVENT}
${DROP_RUN}
${STORE_CLOCK_MS}

local id, token, reaping = ARGV[2], ARGV[4], ARGV[5] ~= ''
local function leaseExpired()
  if not reaping then
    return false
  end
  local expiry = redis.call('ZSCORE', KEYS[4], id)
  return expiry and tonumber(expiry) <= storeClockMs()
end

local current, session = readSession(KEYS[1])
local holds
if token ~= '' then
  holds = redis.call('HGET', KEYS[3], id) == token
else
  holds = leaseExpired()
end
if #current == 0 or not holds or session.status ~= 'running' then
  if leaseExpired() then
    dropRun(KEYS[3], KEYS[4], id)
  end
  return {#current == 0 and 'not_found' or 'not_holder'}
end
if ARGV[3] ~= '' and tonumber(session.version) ~= tonumber(ARGV[3]) then
  return {'version_conflict', current}
end

local extra = {}
if ARGV[7] ~= '' then
  extra = {'metadata', ARGV[7]}
end
local ended = moveStatus(KEYS[1], ARGV[1], id, session, ARGV[6], ARGV[8], extra)
dropRun(KEYS[3], KEYS[4], id)
emitEvent(KEYS[2], ARGV[9], 'transitioned', 'running', ended)
return {'ended', current, ended}
`;
