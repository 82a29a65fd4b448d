import { READ_SESSION } from './lua-helpers.js';

/**
 * Lua shared by the update and delete scripts (inlined where `${LOAD_SESSION}` appears, once, at
 * module load, like a BullMQ include). Expects KEYS[1] = session hash and ARGV[3] = expected
 * version or ''. Ends the script with {'not_found'} or {'version_conflict', <current>};
 * otherwise leaves `current` (the HGETALL list) and `session` (a field -> value table).
 */
export const LOAD_SESSION = `
${READ_SESSION}
local current, session = readSession(KEYS[1])
if #current == 0 then
  return {'not_found'}
end
if ARGV[3] ~= '' and tonumber(session.version) ~= tonumber(ARGV[3]) then
  return {'version_conflict', current}
end
`;
