/**
 * Lua functions shared by the write scripts (inlined where `${...}` appears, once, at module load,
 * like a BullMQ include). Keys are passed in, so each script still declares every key it touches
 * in KEYS[] except the index keys built from the index base (same hash tag, same Cluster slot).
 */

/**
 * emitEvent(stream, maxLength, type, previousStatus, sessionFields): appends one change event to
 * the stream, trimmed to about `maxLength` entries. `sessionFields` is a flat field/value list as
 * HGETALL gives it; `previousStatus` is '' for none.
 */
export const EMIT_EVENT = `
local function emitEvent(stream, maxLength, eventType, previousStatus, sessionFields)
  redis.call('XADD', stream, 'MAXLEN', '~', maxLength, '*',
    'event.type', eventType, 'event.previousStatus', previousStatus, unpack(sessionFields))
end
`;

/**
 * readSession(key): `current` (the HGETALL list, empty when absent) and `session` (field -> value).
 * The one session read of every script (`LOAD_SESSION` is built on it).
 */
export const READ_SESSION = `
local function readSession(key)
  local fields = redis.call('HGETALL', key)
  local byName = {}
  for i = 1, #fields, 2 do
    byName[fields[i]] = fields[i + 1]
  end
  return fields, byName
end
`;

/**
 * moveStatusIndexes(indexBase, id, session, newStatus): moves the session from the status
 * indexes of `session.status` to those of `newStatus` (the only status-index move of any script).
 * Needs INDEX_KEYS_LUA.
 */
export const MOVE_STATUS_INDEXES = `
local function moveStatusIndexes(base, id, session, newStatus)
  redis.call('ZREM', statusIndex(base, session.status), id)
  redis.call('ZREM', dbStatusIndex(base, session.status, session.dbConnectionId), id)
  redis.call('ZADD', statusIndex(base, newStatus), session.createdAt, id)
  redis.call('ZADD', dbStatusIndex(base, newStatus, session.dbConnectionId), session.createdAt, id)
end
`;

/**
 * moveStatus(key, indexBase, id, session, newStatus, now, extraFields): sets the new status, one
 * version on and updatedAt = max(now, previous + 1), plus any extra field/value pairs, and moves
 * the session between status indexes and its search index entries. Returns the new HGETALL list.
 * Needs READ_SESSION, MOVE_STATUS_INDEXES and SEARCH_INDEX.
 */
export const MOVE_STATUS = `
local function moveStatus(key, base, id, session, newStatus, now, extraFields)
  local updatedAt = math.max(tonumber(now), tonumber(session.updatedAt) + 1)
  redis.call('HSET', key, 'status', newStatus, 'version', string.format('%d', tonumber(session.version) + 1),
    'updatedAt', string.format('%d', updatedAt), unpack(extraFields))
  moveStatusIndexes(base, id, session, newStatus)
  local moved, after = readSession(key)
  moveSearchEntries(base, id, session, after)
  return moved
end
`;

/** dropRun(runs, leases, id): forgets the run token and the lease of a session. */
export const DROP_RUN = `
local function dropRun(runs, leases, id)
  redis.call('HDEL', runs, id)
  redis.call('ZREM', leases, id)
end
`;

/**
 * storeClockMs(): Redis's own time in ms since the epoch. Leases are judged by this clock only,
 * so runners and reapers on hosts with skewed clocks agree (scripts replicate as effects, so
 * TIME in a write script is safe).
 */
export const STORE_CLOCK_MS = `
local function storeClockMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;

/**
 * indexSearch(base, id, session) / unindexSearch(base, id, session): add or remove every search
 * index entry of a session (`session` a field -> value table with status, dbConnectionId,
 * createdAt, updatedAt and searchTokens); moveSearchEntries(base, id, before, after) replaces
 * the entries of `before` with those of `after`, touching only the ones that differ (an update
 * keeps its created-time entries under "any status", for instance: removing and re-adding them
 * would be most of the script's work). The layout is the one of `domain/search-index.ts`: index
 * `searchIndex(base, '<c|u>:<status or ''>:<token or ''>:<db or ''>')`, entry
 * `<15-digit ms>:<id>`, all with score 0 so they sort by bytes. Keep the two in step.
 * Needs INDEX_KEYS_LUA.
 */
export const SEARCH_INDEX = `
-- The tokens of a searchTokens field, '' (no token) first, and the same as a set.
local function searchTokenList(searchTokens)
  local tokens, has = {''}, {['']=true}
  if searchTokens and searchTokens ~= '' then
    for token in string.gmatch(searchTokens, '%S+') do
      tokens[#tokens + 1] = token
      has[token] = true
    end
  end
  return tokens, has
end
local function searchEntryOf(ms, id)
  return string.sub('000000000000000', #ms + 1) .. ms .. ':' .. id
end
-- ZADDs (adding) or ZREMs the entries of session, whose tokens are tokens, that other (whose
-- token set is otherHas) lacks; all of them when other is nil. An entry is in both exactly
-- when its time, its status part, its token and its db part are the same in both. Builds no
-- string for an entry it skips: this runs on every write.
local function applySearchEntries(adding, prefix, id, session, tokens, other, otherHas)
  local db = session.dbConnectionId
  local sameDb = other ~= nil and other.dbConnectionId == db
  for sort = 1, 2 do
    local field = sort == 1 and 'createdAt' or 'updatedAt'
    local sortPrefix = prefix .. (sort == 1 and 'c:' or 'u:')
    local sameTime = other ~= nil and other[field] == session[field]
    local entry
    for part = 1, 2 do
      local status = part == 1 and '' or session.status
      local sameStatus = part == 1 or (other ~= nil and other.status == status)
      for t = 1, #tokens do
        local inBoth = sameTime and sameStatus and otherHas[tokens[t]]
        if not (inBoth and sameDb) then
          entry = entry or searchEntryOf(session[field], id)
          local name = sortPrefix .. status .. ':' .. tokens[t] .. ':'
          if adding then
            if not inBoth then
              redis.call('ZADD', name, '0', entry)
            end
            redis.call('ZADD', name .. db, '0', entry)
          else
            if not inBoth then
              redis.call('ZREM', name, entry)
            end
            redis.call('ZREM', name .. db, entry)
          end
        end
      end
    end
  end
end
local function indexSearch(base, id, session)
  applySearchEntries(true, searchIndex(base, ''), id, session, searchTokenList(session.searchTokens), nil, nil)
end
local function unindexSearch(base, id, session)
  applySearchEntries(false, searchIndex(base, ''), id, session, searchTokenList(session.searchTokens), nil, nil)
end
local function moveSearchEntries(base, id, before, after)
  local prefix = searchIndex(base, '')
  local beforeTokens, beforeHas = searchTokenList(before.searchTokens)
  local afterTokens, afterHas = beforeTokens, beforeHas
  if after.searchTokens ~= before.searchTokens then
    afterTokens, afterHas = searchTokenList(after.searchTokens)
  end
  applySearchEntries(false, prefix, id, before, beforeTokens, after, afterHas)
  applySearchEntries(true, prefix, id, after, afterTokens, before, beforeHas)
end
`;

/**
 * addSession(key, listIndexes, base, id, createdAt, fields): writes a new session hash from its
 * flat field/value list, adds it to its list indexes (scored by createdAt) and its search entries.
 * The one insert of the insert scripts. Needs SEARCH_INDEX.
 */
export const ADD_SESSION = `
local function addSession(key, listIndexes, base, id, createdAt, fields)
  redis.call('HSET', key, unpack(fields))
  for _, index in ipairs(listIndexes) do
    redis.call('ZADD', index, createdAt, id)
  end
  local session = {}
  for i = 1, #fields, 2 do
    session[fields[i]] = fields[i + 1]
  end
  indexSearch(base, id, session)
end
`;
