import { SESSION_FIELDS } from '../session-hash.js';

// The field list is written into the script once, at module load (like the shared include of
// the update and delete scripts), never per call.
const FIELDS = SESSION_FIELDS.map((field) => `'${field}'`).join(', ');

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

  Returns {total, page}: page is one JSON text, an array with one array per session of the
  values of ${FIELDS} (HMGET order); for an index entry whose hash is gone or has another id,
  the array is {false, <id>, <1 if the hash exists, else 0>} instead. One string instead of a nested reply with a bulk string
  per field keeps decoding on the client cheap.
]]
local total = redis.call('ZCARD', KEYS[1])
local first = tonumber(ARGV[2])
local ids = redis.call('ZREVRANGE', KEYS[1], first, first + tonumber(ARGV[3]) - 1)
if #ids == 0 then
  return {total, '[]'}
end
local rows = {}
for i, id in ipairs(ids) do
  local row = redis.call('HMGET', ARGV[1] .. id, ${FIELDS})
  if row[1] ~= id then
    -- Not what the insert script wrote (evicted, or written by someone else): say which and whether it exists.
    row = {false, id, redis.call('EXISTS', ARGV[1] .. id)}
  end
  rows[i] = row
end
return {total, cjson.encode(rows)}
`;
