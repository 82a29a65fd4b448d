import { startPrivatePostgres } from '../test/helpers/postgres-server.js';
import { startPrivateRedis } from '../test/helpers/redis-server.js';
import { runSearchBench, searchTable } from './search-bench.js';

// `npx tsx bench/search-only.ts [memory] [redis] [postgres]`: only the search benchmark (see
// search-bench.ts), on a private redis-server for `redis` and a private PostgreSQL for `postgres`.
const log = (line: string) => console.error(line);
const stores = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['memory', 'redis'];
const redis = stores.includes('redis') ? await startPrivateRedis() : undefined;
if (redis) process.env.BENCH_REDIS_URL = redis.url;
const postgres = stores.includes('postgres') ? await startPrivatePostgres() : undefined;
if (postgres) process.env.BENCH_DATABASE_URL = postgres.url;
try {
  const results = [];
  for (const store of stores) results.push(await runSearchBench(store, log));
  console.log(`\n${searchTable(results)}\n`);
  console.log(JSON.stringify(results));
} finally {
  await redis?.destroy();
  await postgres?.destroy();
}
