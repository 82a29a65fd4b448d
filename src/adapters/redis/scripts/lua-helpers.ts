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
 * moveStatus(key, indexBase, id, session, newStatus, now, extraFields): sets the new status, one
 * version on and updatedAt = max(now, previous + 1), plus any extra field/value pairs, and moves
 * the session between status indexes and its search index entries. Returns the new HGETALL list.
 * Needs SEARCH_INDEX included before it.
 */
export const MOVE_STATUS = `
local function moveStatus(key, base, id, session, newStatus, now, extraFields)
  local updatedAt = math.max(tonumber(now), tonumber(session.updatedAt) + 1)
  redis.call('HSET', key, 'status', newStatus, 'version', string.format('%d', tonumber(session.version) + 1),
    'updatedAt', string.format('%d', updatedAt), unpack(extraFields))
  redis.call('ZREM', base .. 'st:' .. session.status, id)
  redis.call('ZREM', base .. 'dbst:' .. session.status .. ':' .. session.dbConnectionId, id)
  redis.call('ZADD', base .. 'st:' .. newStatus, session.createdAt, id)
  redis.call('ZADD', base .. 'dbst:' .. newStatus .. ':' .. session.dbConnectionId, session.createdAt, id)
  local moved = redis.call('HGETALL', key)
  local after = {}
  for i = 1, #moved, 2 do
    after[moved[i]] = moved[i + 1]
  end
  unindexSearch(base, id, session)
  indexSearch(base, id, after)
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
 * indexSearch(base, id, session) / unindexSearch(base, id, session): add or remove every search
 * index entry of a session (`session` a field -> value table with status, dbConnectionId,
 * createdAt, updatedAt and searchTokens). The layout is the one of `domain/search-index.ts`:
 * index `<base>x:<c|u>:<status or ''>:<token or ''>:<db or ''>`, entry `<15-digit ms>:<id>`,
 * all with score 0 so they sort by bytes. Keep the two in step.
 */
export const SEARCH_INDEX = `
local function eachSearchEntry(base, id, session, apply)
  local tokens = {''}
  for token in string.gmatch(session.searchTokens or '', '%S+') do
    tokens[#tokens + 1] = token
  end
  for _, sort in ipairs({'c', 'u'}) do
    local ms = sort == 'c' and session.createdAt or session.updatedAt
    local entry = string.rep('0', 15 - #ms) .. ms .. ':' .. id
    for _, status in ipairs({'', session.status}) do
      for _, token in ipairs(tokens) do
        for _, db in ipairs({'', session.dbConnectionId}) do
          apply(base .. 'x:' .. sort .. ':' .. status .. ':' .. token .. ':' .. db, entry)
        end
      end
    end
  end
end
local function indexSearch(base, id, session)
  eachSearchEntry(base, id, session, function(key, entry) redis.call('ZADD', key, 0, entry) end)
end
local function unindexSearch(base, id, session)
  eachSearchEntry(base, id, session, function(key, entry) redis.call('ZREM', key, entry) end)
end
`;
