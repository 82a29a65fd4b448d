import { INDEX_KEYS_LUA } from '../keys.js';
import { DROP_RUN, EMIT_EVENT } from './lua-helpers.js';
import { LOAD_SESSION } from './load-session.js';

/** Lua: removes a session hash, its four index entries and any run lease, if at the expected version. */
export const DELETE_SESSION = `
--[[
  delete-session: removes a session and every index entry of it.

  KEYS[1] session hash           {prefix}:s:<id>
  KEYS[2] index of all sessions  {prefix}:i:all
  KEYS[3] event stream           {prefix}:events
  KEYS[4] run tokens             {prefix}:runs
  KEYS[5] run leases             {prefix}:leases

  ARGV[1] index key base {prefix}:i: ; the db and status indexes are built from it
          (same hash tag, so same Cluster slot)
  ARGV[2] session id
  ARGV[3] expected version, or '' for any
  ARGV[4] event stream max length (approximate trim)

  Returns, with <hash> a flat field/value list as HGETALL gives it:
    {'not_found'}
    {'version_conflict', <current>}
    {'deleted', <removed>}   (only this one adds a 'deleted' event)
  An index left empty disappears with its last member (Redis deletes empty sorted sets).
]]
${EMIT_EVENT}
${DROP_RUN}
${LOAD_SESSION}
${INDEX_KEYS_LUA}

local base, id = ARGV[1], ARGV[2]
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', dbIndex(base, session.dbConnectionId), id)
redis.call('ZREM', statusIndex(base, session.status), id)
redis.call('ZREM', dbStatusIndex(base, session.status, session.dbConnectionId), id)
dropRun(KEYS[4], KEYS[5], id)
emitEvent(KEYS[3], ARGV[4], 'deleted', session.status, current)
return {'deleted', current}
`;
