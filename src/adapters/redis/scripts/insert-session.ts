import { INDEX_KEYS_LUA } from '../keys.js';
import { ADD_SESSION, EMIT_EVENT, SEARCH_INDEX } from './lua-helpers.js';

/** Lua: adds a session hash, its four list index entries and its search entries, unless the id exists; emits `created`. */
export const INSERT_SESSION = `
--[[
  insert-session: adds a new session and indexes it, or changes nothing if the id exists.

  KEYS[1] session hash                {prefix}:s:<id>
  KEYS[2] index of all sessions       {prefix}:i:all
  KEYS[3] index of its db connection  {prefix}:i:db:<dbConnectionId>
  KEYS[4] index of its status         {prefix}:i:st:<status>
  KEYS[5] index of both               {prefix}:i:dbst:<status>:<dbConnectionId>
  KEYS[6] event stream                {prefix}:events

  ARGV[1]    session id (the member in every index)
  ARGV[2]    createdAt in ms (the score in every index)
  ARGV[3]    event stream max length (approximate trim)
  ARGV[4]    index key base {prefix}:i: ; the search indexes are built from it (same hash tag)
  ARGV[5..]  field, value, field, value... of the session hash (with searchTokens)

  Returns 1 when inserted (and a 'created' event added), 0 when a session with this id exists
  (nothing changed, no event).
]]
${EMIT_EVENT}
${INDEX_KEYS_LUA}
${SEARCH_INDEX}
${ADD_SESSION}
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local fields = {unpack(ARGV, 5)}
addSession(KEYS[1], {KEYS[2], KEYS[3], KEYS[4], KEYS[5]}, ARGV[4], ARGV[1], ARGV[2], fields)
emitEvent(KEYS[6], ARGV[3], 'created', '', fields)
return 1
`;
