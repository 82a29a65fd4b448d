/** Lua: drops index entries that point at a session hash that no longer exists. */
export const REPAIR_INDEX = `
--[[
  repair-index: removes a session id from the given indexes, only if its hash is still gone (so
  a session re-created meanwhile keeps its entries). Used when a page meets an evicted hash.

  KEYS[1] session hash         {prefix}:s:<id>
  KEYS[2] the index of all     {prefix}:i:all
  KEYS[3] the index being listed (may be the same)

  ARGV[1] session id

  Returns the number of index entries removed.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
return redis.call('ZREM', KEYS[2], ARGV[1]) + redis.call('ZREM', KEYS[3], ARGV[1])
`;
