// One racing process: `node --import tsx idempotent-create-worker.ts <url> <schema> <creates> <key,key,...>`.
// See test/helpers/idempotent-create-race-worker.ts.
import { PostgresSessionStore } from '../../src/postgres.js';
import { raceCreates } from '../helpers/idempotent-create-race-worker.js';

const [url, schema, createsArg, keysArg] = process.argv.slice(2);
await raceCreates(new PostgresSessionStore({ url, schema, poolSize: 4 }), Number(createsArg), keysArg.split(','));
