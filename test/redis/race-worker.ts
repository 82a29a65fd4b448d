// One racing process: `node --import tsx race-worker.ts <url> <prefix> <worker> <ops> <id,id,...>`.
// See test/helpers/race-hammer.ts for what it does and prints.
import { RedisSessionStore } from '../../src/redis.js';
import { hammer } from '../helpers/race-hammer.js';

const [url, prefix, worker, opsArg, idsArg] = process.argv.slice(2);
await hammer(new RedisSessionStore({ url, prefix }), worker, Number(opsArg), idsArg.split(','));
