/** Lua: one page of an index, newest first, with the index's size. */
export const LIST_SESSIONS = `
--[[
  list-sessions: the total and one page of sessions of one index, newest createdAt first; equal
  scores come in descending id order (ZREVRANGE sorts ties lexicographically, reversed).

  KEYS[1] the index to page through, e.g. {prefix}:i:all

  ARGV[1] session key base {prefix}:s: ; the hash of each member is ARGV[1] .. id
          (same hash tag, so same Cluster slot)
  ARGV[2] offset
  ARGV[3] limit

  Returns {total, <hash>, <hash>, ...}, each <hash> a flat field/value list as HGETALL gives it.
]]
local page = {redis.call('ZCARD', KEYS[1])}
local first = tonumber(ARGV[2])
local ids = redis.call('ZREVRANGE', KEYS[1], first, first + tonumber(ARGV[3]) - 1)
for _, id in ipairs(ids) do
  table.insert(page, redis.call('HGETALL', ARGV[1] .. id))
end
return page
`;
