import { STORE_CLOCK_MS } from './lua-helpers.js';

/** Lua: ids of running sessions whose lease has expired by Redis's clock. */
export const EXPIRED_RUNS = `
--[[
  expired-runs: up to ARGV[1] session ids whose lease expiry is at or before Redis TIME, so the
  reaper's verdict never depends on the clock of the host it runs on.

  KEYS[1] run leases  {prefix}:leases  (sorted set: session id by lease expiry ms)

  ARGV[1] limit

  Returns a list of session ids, earliest expiry first.
]]
${STORE_CLOCK_MS}

return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', storeClockMs(), 'LIMIT', 0, tonumber(ARGV[1]))
`;
