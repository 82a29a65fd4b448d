// One racing process: `node --import tsx race-worker.ts <url> <schema> <worker> <ops> <id,id,...>`.
// See test/helpers/race-hammer.ts for what it does and prints.
import { PostgresSessionStore } from '../../src/postgres.js';
import { hammer } from '../helpers/race-hammer.js';

const [url, schema, worker, opsArg, idsArg] = process.argv.slice(2);
await hammer(new PostgresSessionStore({ url, schema, poolSize: 4 }), worker, Number(opsArg), idsArg.split(','));
