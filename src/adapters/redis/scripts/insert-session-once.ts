import { INDEX_KEYS_LUA } from '../keys.js';
import { ADD_SESSION, EMIT_EVENT, SEARCH_INDEX } from './lua-helpers.js';

/**
 * Lua: the insert of `insert-session`, claiming an idempotency key in the same step; a key
 * already claimed answers its record instead.
 */
export const INSERT_SESSION_ONCE = `
--[[
  insert-session-once: unless the idempotency key holds a record, adds a new session, indexes it
  (list and search indexes, as insert-session does)
  and stores the record under the key with a TTL, all in one step; so of many concurrent creates
  with one key exactly one inserts.

  KEYS[1] session hash                {prefix}:s:<id>
  KEYS[2] index of all sessions       {prefix}:i:all
  KEYS[3] index of its db connection  {prefix}:i:db:<dbConnectionId>
  KEYS[4] index of its status         {prefix}:i:st:<status>
  KEYS[5] index of both               {prefix}:i:dbst:<status>:<dbConnectionId>
  KEYS[6] event stream                {prefix}:events
  KEYS[7] idempotency record          {prefix}:idem:<digest of scope and key>

  ARGV[1]    session id (the member in every index)
  ARGV[2]    createdAt in ms (the score in every index)
  ARGV[3]    event stream max length (approximate trim)
  ARGV[4]    record TTL in ms
  ARGV[5]    the record (JSON: request fingerprint and first answer), stored as given
  ARGV[6]    index key base {prefix}:i: ; the search indexes are built from it (same hash tag)
  ARGV[7..]  field, value, field, value... of the session hash (with searchTokens)

  Returns {'inserted'} (and a 'created' event added), {'replayed', <record>} when the key holds
  an unexpired record, {'id_taken'} when a session with this id exists; the last two change nothing.
]]
${EMIT_EVENT}
${INDEX_KEYS_LUA}
${SEARCH_INDEX}
${ADD_SESSION}
local record = redis.call('GET', KEYS[7])
if record then
  return {'replayed', record}
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'id_taken'}
end
local fields = {unpack(ARGV, 7)}
addSession(KEYS[1], {KEYS[2], KEYS[3], KEYS[4], KEYS[5]}, ARGV[6], ARGV[1], ARGV[2], fields)
redis.call('SET', KEYS[7], ARGV[5], 'PX', ARGV[4])
emitEvent(KEYS[6], ARGV[3], 'created', '', fields)
return {'inserted'}
`;
