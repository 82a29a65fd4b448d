import { INDEX_KEYS_LUA } from '../keys.js';
import { DROP_RUN, EMIT_EVENT, MOVE_STATUS_INDEXES, SEARCH_INDEX, STORE_CLOCK_MS } from './lua-helpers.js';
import { LOAD_SESSION } from './load-session.js';

/**
 * Lua: checks the update condition and applies a patch, moving list index entries on a status
 * change and search index entries on every change;
 * emits `updated` or `transitioned`. Leaving `running` drops the run's lease; a patch naming
 * `running` gives a session nobody's run holds a lease the reaper can expire.
 */
export const UPDATE_SESSION = `
--[[
  update-session: applies a patch if the condition holds, in the documented check order:
  exists, expected version, allowed "from" statuses. Only a real change bumps version by 1 and
  sets updatedAt = max(now, previous updatedAt + 1).

  KEYS[1] session hash  {prefix}:s:<id>
  KEYS[2] event stream  {prefix}:events
  KEYS[3] run tokens    {prefix}:runs    (hash: session id -> token)
  KEYS[4] run leases    {prefix}:leases  (sorted set: session id by lease expiry ms)

  ARGV[1]    index key base {prefix}:i: ; the status indexes to move between are built from it
             (same hash tag, so same Cluster slot)
  ARGV[2]    session id
  ARGV[3]    expected version, or '' for any
  ARGV[4]    now, in ms
  ARGV[5]    new title as JSON, or '' to keep it
  ARGV[6]    new status, or '' to keep it
  ARGV[7]    new metadata as JSON, or '' to keep it
  ARGV[8]    '1' to check the current status against ARGV[12..] (only with a new status), else '0'
  ARGV[9]    event stream max length (approximate trim)
  ARGV[10]   lease length in ms for a patch naming 'running', or '': the session ends up running
             with no run holding it, so it gets (or renews) a lease with no token, expiring at
             Redis TIME + this, which the reaper fails once it runs out
  ARGV[11]   search tokens of the new metadata (space-separated), used only with ARGV[7]
  ARGV[12..] statuses the session may move from

  Returns, with <hash> a flat field/value list as HGETALL gives it:
    {'not_found'}
    {'version_conflict', <current>}
    {'status_conflict', <current>}
    {'unchanged', <current>}        (a lease of ARGV[10] may still have been renewed)
    {'updated', <next>, <was>}     (only this one adds an event; <was> is field, old value of
                                    each field the update changed, so <previous> is <next> with
                                    those put back: the caller rebuilds it only if it needs it)
]]
${EMIT_EVENT}
${DROP_RUN}
${LOAD_SESSION}
${STORE_CLOCK_MS}
${INDEX_KEYS_LUA}
${MOVE_STATUS_INDEXES}
${SEARCH_INDEX}

local newStatus = ARGV[6]
if newStatus ~= '' and ARGV[8] == '1' then
  local allowed = false
  for i = 12, #ARGV do
    if ARGV[i] == session.status then
      allowed = true
      break
    end
  end
  if not allowed then
    return {'status_conflict', current}
  end
end

-- The HSET arguments, and the same as a field -> new value table.
local changes, changed = {}, {}
local function change(field, value)
  changes[#changes + 1] = field
  changes[#changes + 1] = value
  changed[field] = value
end
if ARGV[5] ~= '' and ARGV[5] ~= session.title then
  change('title', ARGV[5])
end
local statusChanges = newStatus ~= '' and newStatus ~= session.status
if statusChanges then
  change('status', newStatus)
end
if ARGV[7] ~= '' and ARGV[7] ~= session.metadata then
  change('metadata', ARGV[7])
end
if newStatus == 'running' and ARGV[10] ~= '' then
  local holder = redis.call('HGET', KEYS[3], ARGV[2])
  if statusChanges or not holder or holder == '' then
    redis.call('HSET', KEYS[3], ARGV[2], '')
    redis.call('ZADD', KEYS[4], storeClockMs() + tonumber(ARGV[10]), ARGV[2])
  end
end
if #changes == 0 then
  return {'unchanged', current}
end

if ARGV[7] ~= '' then
  change('searchTokens', ARGV[11])
end
change('version', string.format('%d', tonumber(session.version) + 1))
change('updatedAt', string.format('%d', math.max(tonumber(ARGV[4]), tonumber(session.updatedAt) + 1)))
redis.call('HSET', KEYS[1], unpack(changes))

if statusChanges then
  moveStatusIndexes(ARGV[1], ARGV[2], session, newStatus)
  if session.status == 'running' then
    dropRun(KEYS[3], KEYS[4], ARGV[2])
  end
end
-- The fields the search entries are made of, as they are now (without reading the hash back).
local after = {
  status = changed.status or session.status,
  dbConnectionId = session.dbConnectionId,
  createdAt = session.createdAt,
  updatedAt = changed.updatedAt,
  searchTokens = changed.searchTokens or session.searchTokens,
}
moveSearchEntries(ARGV[1], ARGV[2], session, after)
local updated = {}
local was = {}
for i = 1, #current, 2 do
  local field = current[i]
  local value = changed[field]
  updated[i] = field
  updated[i + 1] = value or current[i + 1]
  if value then
    was[#was + 1] = field
    was[#was + 1] = current[i + 1]
  end
end
emitEvent(KEYS[2], ARGV[9], statusChanges and 'transitioned' or 'updated', session.status, updated)
return {'updated', updated, was}
`;
