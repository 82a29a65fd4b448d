import { STORE_CLOCK_MS } from './lua-helpers.js';

/** Lua: moves a run's lease expiry, only for the run that holds it. */
export const RENEW_RUN = `
--[[
  renew-run: sets a new lease expiry if the token still holds the session's run. Every move out
  of 'running' and every delete drops the token, so holding it means the session is running.

  KEYS[1] run tokens  {prefix}:runs    (hash: session id -> token)
  KEYS[2] run leases  {prefix}:leases  (sorted set: session id by lease expiry ms)

  ARGV[1] session id
  ARGV[2] run token
  ARGV[3] lease length, ms (the new expiry is Redis TIME + this)

  Returns 1 when renewed, 0 when the token no longer holds the run.
]]
${STORE_CLOCK_MS}

if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZADD', KEYS[2], storeClockMs() + tonumber(ARGV[3]), ARGV[1])
return 1
`;
