import { INDEX_KEYS_LUA } from '../keys.js';
import { READ_SESSION, SEARCH_INDEX } from './lua-helpers.js';

/** Lua: rewrites one session's search index entries for new metadata tokens, if its metadata is as read. */
export const REINDEX_SESSION = `
--[[
  reindex-session: replaces a session's search entries with those of the given tokens (after the
  host changed its indexed metadata keys, or for a session written before search existed). No
  event: the session itself does not change.

  KEYS[1] session hash  {prefix}:s:<id>

  ARGV[1] index key base {prefix}:i: (same hash tag, so same Cluster slot)
  ARGV[2] session id
  ARGV[3] metadata JSON the tokens were computed from
  ARGV[4] search tokens (space-separated)

  Returns 1 when reindexed, 0 when the session is gone, -1 when its metadata changed since it
  was read (the caller reads it again).
]]
${READ_SESSION}
${INDEX_KEYS_LUA}
${SEARCH_INDEX}
local fields, session = readSession(KEYS[1])
if #fields == 0 then
  return 0
end
if session.metadata ~= ARGV[3] then
  return -1
end
unindexSearch(ARGV[1], ARGV[2], session)
session.searchTokens = ARGV[4]
redis.call('HSET', KEYS[1], 'searchTokens', ARGV[4])
indexSearch(ARGV[1], ARGV[2], session)
return 1
`;
