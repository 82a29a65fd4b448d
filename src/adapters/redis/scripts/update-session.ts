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

local changes = {}
if ARGV[5] ~= '' and ARGV[5] ~= session.title then
  table.insert(changes, 'title')
  table.insert(changes, ARGV[5])
end
local statusChanges = newStatus ~= '' and newStatus ~= session.status
if statusChanges then
  table.insert(changes, 'status')
  table.insert(changes, newStatus)
end
if ARGV[7] ~= '' and ARGV[7] ~= session.metadata then
  table.insert(changes, 'metadata')
  table.insert(changes, ARGV[7])
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
  table.insert(changes, 'searchTokens')
  table.insert(changes, ARGV[11])
end
table.insert(changes, 'version')
table.insert(changes, string.format('%d', tonumber(session.version) + 1))
table.insert(changes, 'updatedAt')
table.insert(changes, string.format('%d', math.max(tonumber(ARGV[4]), tonumber(session.updatedAt) + 1)))
redis.call('HSET', KEYS[1], unpack(changes))

if statusChanges then
  moveStatusIndexes(ARGV[1], ARGV[2], session, newStatus)
  if session.status == 'running' then
    dropRun(KEYS[3], KEYS[4], ARGV[2])
  end
end
-- The hash as it is now, without reading it back: the current fields with the changes applied.
local changed = {}
for i = 1, #changes, 2 do
  changed[changes[i]] = changes[i + 1]
end
local after = {}
for field, value in pairs(session) do
  after[field] = changed[field] or value
end
after.searchTokens = changed.searchTokens or session.searchTokens
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
