import { startPrivateRedis } from '../test/helpers/redis-server.js';
import { runSearchBench, searchTable } from './search-bench.js';

// `npx tsx bench/search-only.ts [memory] [redis]`: only the search benchmark (see search-bench.ts),
// on a private redis-server for `redis`.
const log = (line: string) => console.error(line);
const stores = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['memory', 'redis'];
const redis = stores.includes('redis') ? await startPrivateRedis() : undefined;
if (redis) process.env.BENCH_REDIS_URL = redis.url;
try {
  const results = [];
  for (const store of stores) results.push(await runSearchBench(store, log));
  console.log(`\n${searchTable(results)}\n`);
  console.log(JSON.stringify(results));
} finally {
  await redis?.destroy();
}
