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
 * the session between status indexes. Returns the new HGETALL list. Needs MOVE_STATUS_INDEXES.
 */
export const MOVE_STATUS = `
local function moveStatus(key, base, id, session, newStatus, now, extraFields)
  local updatedAt = math.max(tonumber(now), tonumber(session.updatedAt) + 1)
  redis.call('HSET', key, 'status', newStatus, 'version', string.format('%d', tonumber(session.version) + 1),
    'updatedAt', string.format('%d', updatedAt), unpack(extraFields))
  moveStatusIndexes(base, id, session, newStatus)
  return redis.call('HGETALL', key)
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
