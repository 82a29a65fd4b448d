// One racing process: `node --import tsx idempotent-create-worker.ts <url> <prefix> <creates> <key,key,...>`.
// See test/helpers/idempotent-create-race-worker.ts.
import { RedisSessionStore } from '../../src/redis.js';
import { raceCreates } from '../helpers/idempotent-create-race-worker.js';

const [url, prefix, createsArg, keysArg] = process.argv.slice(2);
await raceCreates(new RedisSessionStore({ url, prefix }), Number(createsArg), keysArg.split(','));
