import { LOAD_SESSION } from './load-session.js';

/** Lua: removes a session hash and all four of its index entries, if at the expected version. */
export const DELETE_SESSION = `
--[[
  delete-session: removes a session and every index entry of it.

  KEYS[1] session hash           {prefix}:s:<id>
  KEYS[2] index of all sessions  {prefix}:i:all

  ARGV[1] index key base {prefix}:i: ; the db and status indexes are built from it
          (same hash tag, so same Cluster slot)
  ARGV[2] session id
  ARGV[3] expected version, or '' for any

  Returns, with <hash> a flat field/value list as HGETALL gives it:
    {'not_found'}
    {'version_conflict', <current>}
    {'deleted', <removed>}
  An index left empty disappears with its last member (Redis deletes empty sorted sets).
]]
${LOAD_SESSION}

local base, id = ARGV[1], ARGV[2]
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', base .. 'db:' .. session.dbConnectionId, id)
redis.call('ZREM', base .. 'st:' .. session.status, id)
redis.call('ZREM', base .. 'dbst:' .. session.status .. ':' .. session.dbConnectionId, id)
return {'deleted', current}
`;
