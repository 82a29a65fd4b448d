import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasPostgres, startPrivatePostgres } from '../test/helpers/postgres-server.js';
import { startPrivateRedis } from '../test/helpers/redis-server.js';
import { runFanoutBench } from './fanout-bench.js';
import { runHttpBench } from './http-bench.js';
import { runPeerBench } from './peer-bench.js';
import { runPostgresOpsBench } from './postgres-ops-bench.js';
import { runRedisOpsBench } from './redis-ops-bench.js';
import { describeMachine, resultTable } from './report.js';
import { runScaleBench } from './scale-bench.js';
import { BENCH_STORES } from './stores.js';

// `npm run bench`: every figure is a ratio against a baseline measured in this same run.
// Prints a Markdown table and writes bench/results.json. The Redis parts run on a private
// redis-server started here (no persistence) and killed at the end; without redis-server on
// PATH they are skipped. The PostgreSQL parts likewise run on a private server (initdb in a temp
// dir, fsync off) when the PostgreSQL server programs are installed. `npm run bench -- postgres`
// runs the PostgreSQL parts alone, `npm run bench -- peer` only the comparison with Mastra's
// PostgreSQL store, `npm run bench -- redis` only the Redis store against its data commands
// (`redis-cpu`: only its Redis CPU per write), `npm run bench -- http` only our server against bare
// Koa; none of them rewrites results.json.

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const log = (line: string) => console.error(line);

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const machine = describeMachine();
if (process.argv.includes('peer')) {
  await runPeerOnly();
  process.exit(0);
}
if (process.argv.includes('redis') || process.argv.includes('redis-cpu')) {
  await runRedisOpsOnly(!process.argv.includes('redis-cpu'));
  process.exit(0);
}
if (process.argv.includes('http')) {
  log(`HTTP: our server (node dist/cli.js, defaults) vs bare Koa + @koa/router`);
  await runHttpBench(log);
  process.exit(0);
}
if (process.argv.includes('postgres')) {
  await runPostgresOnly();
  process.exit(0);
}
log(`HTTP: our server (node dist/cli.js, defaults) vs bare Koa + @koa/router`);
const http = await runHttpBench(log);

const redis = hasRedisServer() ? await startPrivateRedis() : undefined;
if (redis) process.env.BENCH_REDIS_URL = redis.url;
else log('redis-server is not on PATH: skipping the Redis benchmarks');
const postgres = hasPostgres() ? await startPrivatePostgres() : undefined;
if (postgres) process.env.BENCH_DATABASE_URL = postgres.url;
else log('the PostgreSQL server programs are not installed: skipping the PostgreSQL benchmarks');
try {
  log('Scale: filtered first page and memory per session');
  const scale = [];
  for (const name of Object.keys(BENCH_STORES)) {
    if ((name === 'redis' && !redis) || (name === 'postgres' && !postgres)) continue;
    scale.push(await runScaleBench(name, log));
  }
  log('Redis store vs the same data commands through raw ioredis');
  const { ops: redisOps, cpu: redisCpu } = redis ? await runRedisOpsBench(redis.url, log) : { ops: [], cpu: [] };
  log('PostgreSQL store vs the same SQL through raw pg');
  const postgresOps = postgres ? await runPostgresOpsBench(postgres.url, log) : [];
  log("PostgreSQL store vs Mastra's @mastra/pg store on the same server");
  const peer = postgres ? await runPeerBench(postgres.url, log) : [];

  log('Event fan-out: PATCH latency with 200 event streams following against none');
  const fanout = [];
  for (const name of Object.keys(BENCH_STORES)) {
    if ((name === 'redis' && !redis) || (name === 'postgres' && !postgres)) continue;
    fanout.push(await runFanoutBench(name, log));
  }

  const table = resultTable(http, scale, redisOps, postgresOps, fanout, peer, redisCpu);
  console.log(`\n${machine.nproc} cores · ${machine.cpu} · Node ${machine.node}\n\n${table}\n`);
  // Written aside and renamed, so an interrupted run never leaves a half-written results file.
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify({ machine, http, scale, redisOps, redisCpu, postgresOps, fanout, peer }, null, 2)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
  log(`wrote ${RESULTS}`);
} finally {
  await redis?.destroy();
  await postgres?.destroy();
}

/** Our PostgreSQL store against Mastra's alone, on a private PostgreSQL of its own. */
async function runPeerOnly(): Promise<void> {
  if (!hasPostgres()) throw new Error('The PostgreSQL server programs (initdb, postgres) are not installed.');
  const postgres = await startPrivatePostgres();
  try {
    log("PostgreSQL store vs Mastra's @mastra/pg store on the same server");
    const peer = await runPeerBench(postgres.url, log);
    console.log(`\n${machine.nproc} cores · ${machine.cpu} · Node ${machine.node}\n\n${resultTable([], [], [], [], [], peer)}\n`);
  } finally {
    await postgres.destroy();
  }
}

/** The Redis store against its data commands through raw ioredis (throughput and Redis CPU), on a private redis-server. */
async function runRedisOpsOnly(throughput: boolean): Promise<void> {
  if (!hasRedisServer()) throw new Error('redis-server is not on PATH.');
  const redis = await startPrivateRedis();
  try {
    log('Redis store vs the same data commands through raw ioredis');
    const { ops, cpu } = await runRedisOpsBench(redis.url, log, { throughput });
    console.log(`\n${machine.nproc} cores · ${machine.cpu} · Node ${machine.node}\n\n${resultTable([], [], ops, [], [], [], cpu)}\n`);
  } finally {
    await redis.destroy();
  }
}

/** The PostgreSQL figures alone: the listing at two sizes, the store against raw `pg` and against Mastra's. */
async function runPostgresOnly(): Promise<void> {
  if (!hasPostgres()) throw new Error('The PostgreSQL server programs (initdb, postgres) are not installed.');
  const postgres = await startPrivatePostgres();
  process.env.BENCH_DATABASE_URL = postgres.url;
  try {
    log('Scale: filtered first page (PostgreSQL)');
    const scale = [await runScaleBench('postgres', log)];
    log('PostgreSQL store vs the same SQL through raw pg');
    const ops = await runPostgresOpsBench(postgres.url, log);
    log("PostgreSQL store vs Mastra's @mastra/pg store on the same server");
    const peer = await runPeerBench(postgres.url, log);
    console.log(`\n${machine.nproc} cores · ${machine.cpu} · Node ${machine.node}\n\n${resultTable([], scale, [], ops, [], peer)}\n`);
  } finally {
    await postgres.destroy();
  }
}
