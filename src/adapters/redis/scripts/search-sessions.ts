import { SESSION_FIELDS } from '../session-hash.js';

const FIELDS = SESSION_FIELDS.map((field) => `'${field}'`).join(', ');
const SEARCH_TOKENS_AT = SESSION_FIELDS.length + 1;

/** Lua: reads the search indexes of one search in order, checking what they do not cover. */
export const SEARCH_SESSIONS = `
--[[
  search-sessions: walks search indexes (see SEARCH_INDEX) in entry order, merged when there are
  several (one per wanted status), and collects the sessions that pass the checks. Read-only. It
  stops after 'wanted' matches or 'budget' examined entries, whichever comes first, so one call
  never blocks Redis for long; the caller continues from the last entry examined.

  KEYS[1..n] the search indexes to merge, e.g. {prefix}:i:x:u:active:user_id=...:db-1

  ARGV[1] session key base {prefix}:s:
  ARGV[2] 'asc' or 'desc'
  ARGV[3] lex bound to start from, in walk order ('[' or '(' entry, or '-' / '+')
  ARGV[4] lex bound to end at
  ARGV[5] matches wanted; 0 counts matches instead of returning them
  ARGV[6] budget: most entries to examine
  ARGV[7] checks as JSON {modes?, tokens?, created?: [after|null, before|null], updated?}, or ''
  ARGV[8] '' or the lex min of the filter's range: then ARGV[8], ARGV[9] bound ZLEXCOUNT for total
  ARGV[9] the lex max of the filter's range

  Returns {rows, last, exhausted, total, matched}: rows is one JSON text, an array with one array
  per session of the values of ${FIELDS}; last is the last entry examined ('' if none);
  exhausted is 1 when no entry is left in the range; total is the exact number of entries in the
  filter's range over all KEYS (-1 when not asked); matched counts the matches.
]]
local sessionBase, desc = ARGV[1], ARGV[2] == 'desc'
local from, to = ARGV[3], ARGV[4]
local wanted, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
local checks = false
if ARGV[7] ~= '' then
  checks = cjson.decode(ARGV[7])
end

local total = -1
if ARGV[8] ~= '' then
  total = 0
  for i = 1, #KEYS do
    total = total + redis.call('ZLEXCOUNT', KEYS[i], ARGV[8], ARGV[9])
  end
end

-- Byte order, as ZRANGEBYLEX uses; Lua's own < on strings follows the locale.
local function less(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

local modes = false
if checks and checks.modes then
  modes = {}
  for _, mode in ipairs(checks.modes) do
    modes[mode] = true
  end
end
local function within(at, range)
  if not range then
    return true
  end
  local after, before = range[1], range[2]
  return (after == cjson.null or at > after) and (before == cjson.null or at < before)
end
local function passes(fields)
  if not checks then
    return true
  end
  if modes and not modes[fields[4]] then
    return false
  end
  if checks.tokens then
    local tokens = ' ' .. (fields[${SEARCH_TOKENS_AT}] or '') .. ' '
    for _, token in ipairs(checks.tokens) do
      if not string.find(tokens, ' ' .. token .. ' ', 1, true) then
        return false
      end
    end
  end
  return within(tonumber(fields[7]), checks.created) and within(tonumber(fields[8]), checks.updated)
end

local rows, matched, examined, last, exhausted = {}, 0, 0, '', false
while not exhausted and (wanted == 0 or matched < wanted) and examined < budget do
  local batch = budget - examined
  if not checks then
    batch = math.min(batch, wanted - matched)
  else
    batch = math.min(batch, 256)
  end
  local merged, full = {}, false
  for i = 1, #KEYS do
    local part
    if desc then
      part = redis.call('ZREVRANGEBYLEX', KEYS[i], from, to, 'LIMIT', 0, batch)
    else
      part = redis.call('ZRANGEBYLEX', KEYS[i], from, to, 'LIMIT', 0, batch)
    end
    full = full or #part == batch
    for _, entry in ipairs(part) do
      merged[#merged + 1] = entry
    end
  end
  if #KEYS > 1 then
    if desc then
      table.sort(merged, function(a, b) return less(b, a) end)
    else
      table.sort(merged, less)
    end
  end
  local take = math.min(batch, #merged)
  local processed = 0
  for j = 1, take do
    local entry = merged[j]
    processed = j
    examined = examined + 1
    last = entry
    local fields = redis.call('HMGET', sessionBase .. string.sub(entry, 17), ${FIELDS}, 'searchTokens')
    if fields[1] and passes(fields) then
      matched = matched + 1
      if wanted > 0 then
        rows[#rows + 1] = {unpack(fields, 1, ${SESSION_FIELDS.length})}
        if matched == wanted then
          break
        end
      end
    end
  end
  -- Nothing is left when every index gave less than asked and every entry got examined.
  exhausted = take == 0 or (not full and processed == take)
  from = '(' .. last
end
local page = '[]'
if #rows > 0 then
  page = cjson.encode(rows)
end
return {page, last, exhausted and 1 or 0, total, matched}
`;
