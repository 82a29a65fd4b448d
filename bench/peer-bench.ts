import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { StorageThreadType } from '@mastra/core/memory';
import { PostgresStore } from '@mastra/pg';
import { AgentSessionManager } from '../src/index.js';
import { PostgresSessionStore } from '../src/postgres.js';
import { opsPerSecond, type Operation } from './redis-ops-bench.js';
import { median, spreadOf } from './stats.js';

// Our PostgreSQL store against a peer doing the nearest thing: Mastra's `@mastra/pg` store
// (threads of an agent's memory, listed by resource). Both run on the same private PostgreSQL,
// each in its own schema, each on a pool of POOL_SIZE connections, through their public APIs:
// ours through the manager (validation, state, change event, counters), Mastra's through
// PostgresStore (saveThread, getThreadById, getThreadsByResourceIdPaginated). The peer is a dev
// dependency used by the bench alone.

const ROUNDS = 5;
const CONCURRENCIES = [1, 64];
const POOL_SIZE = 16;
/** Owners (our db connections, Mastra's resources) with THREADS_PER_OWNER seeded items each. */
const OWNERS = 4;
const THREADS_PER_OWNER = 1_000;
const PAGE = 100;
const GOAL = 1.0;

export interface PeerComparison {
  operation: string;
  concurrency: number;
  /** ops/s, median of the rounds. */
  ours: number;
  theirs: number;
  /** Median of the per-round ratios ours / theirs, and their lowest and highest. */
  ratio: number;
  spread: [number, number];
  goal?: number;
  /** The peer and its version, e.g. `@mastra/pg 0.17.10 (@mastra/core 0.24.9)`. */
  peer: string;
}

function installedVersion(name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export function peerName(): string {
  return `@mastra/pg ${installedVersion('@mastra/pg')} (@mastra/core ${installedVersion('@mastra/core')})`;
}

export async function runPeerBench(url: string, log: (line: string) => void): Promise<PeerComparison[]> {
  const peer = peerName();
  const store = new PostgresSessionStore({ url, schema: `bench_peer_ours_${process.pid}`, poolSize: POOL_SIZE });
  const manager = new AgentSessionManager(store);
  const mastra = new PostgresStore({ connectionString: url, schemaName: `bench_peer_mastra_${process.pid}`, max: POOL_SIZE });
  await mastra.init();

  const owner = (i: number) => `owner-${i % OWNERS}`;
  const newThread = (resourceId: string): StorageThreadType => {
    const now = new Date();
    return { id: randomUUID(), resourceId, title: 'bench', metadata: { team: 'analytics' }, createdAt: now, updatedAt: now };
  };
  const seeded = OWNERS * THREADS_PER_OWNER;
  log(`  seeding ${seeded} sessions and ${seeded} threads over ${OWNERS} owners`);
  const ourIds: string[] = [];
  const theirIds: string[] = [];
  await opsInBatches(seeded, 64, async (i) => {
    ourIds.push((await manager.create({ dbConnectionId: owner(i), title: 'bench', metadata: { team: 'analytics' } })).id);
    theirIds.push((await mastra.saveThread({ thread: newThread(owner(i)) })).id);
  });
  // Both sides must really return full pages, or the comparison means nothing.
  const ourPage = await manager.list({ dbConnectionId: owner(0), limit: PAGE });
  const theirPage = await mastra.getThreadsByResourceIdPaginated({ resourceId: owner(0), page: 0, perPage: PAGE });
  if (ourPage.sessions.length !== PAGE || theirPage.threads.length !== PAGE || ourPage.total !== theirPage.total) {
    throw new Error(`pages differ: ours ${ourPage.sessions.length} of ${ourPage.total}, Mastra ${theirPage.threads.length} of ${theirPage.total}`);
  }

  let nextOurs = 0;
  let nextTheirs = 0;
  const operations: Array<{ name: string; ours: Operation; theirs: Operation }> = [
    {
      name: 'create (Mastra saveThread)',
      ours: () => manager.create({ dbConnectionId: 'create', title: 'bench', metadata: { team: 'analytics' } }),
      theirs: () => mastra.saveThread({ thread: newThread('create') }),
    },
    {
      name: 'get (Mastra getThreadById)',
      ours: () => manager.get(ourIds[nextOurs++ % ourIds.length]),
      theirs: () => mastra.getThreadById({ threadId: theirIds[nextTheirs++ % theirIds.length] }),
    },
    {
      name: `list page of ${PAGE} of ${THREADS_PER_OWNER} (Mastra getThreadsByResourceIdPaginated)`,
      ours: (w) => manager.list({ dbConnectionId: owner(w), limit: PAGE }),
      theirs: (w) => mastra.getThreadsByResourceIdPaginated({ resourceId: owner(w), page: 0, perPage: PAGE }),
    },
  ];

  const results: PeerComparison[] = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      for (const op of operations) {
        await opsPerSecond(op.ours, concurrency); // warm-up: connections opened, statements prepared
        await opsPerSecond(op.theirs, concurrency);
        const mine: number[] = [];
        const theirs: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate who goes first, so a drift of the machine's speed hits both alike.
          if (round % 2 === 0) {
            mine.push(await opsPerSecond(op.ours, concurrency));
            theirs.push(await opsPerSecond(op.theirs, concurrency));
          } else {
            theirs.push(await opsPerSecond(op.theirs, concurrency));
            mine.push(await opsPerSecond(op.ours, concurrency));
          }
        }
        const ratios = mine.map((o, i) => o / theirs[i]);
        const ratio = median(ratios);
        const result: PeerComparison = {
          operation: op.name,
          concurrency,
          ours: median(mine),
          theirs: median(theirs),
          ratio,
          spread: spreadOf(ratios),
          goal: concurrency === 64 ? GOAL : undefined,
          peer,
        };
        results.push(result);
        log(
          `  ${op.name} at concurrency ${concurrency}: ${result.ours.toFixed(0)} vs ${result.theirs.toFixed(0)} ops/s, ` +
            `ratio ${ratio.toFixed(2)} (${result.spread.map((r) => r.toFixed(2)).join('–')})`,
        );
      }
    }
  } finally {
    await mastra.close();
    await store.close();
  }
  return results;
}

/** Runs `count` calls of `call`, `concurrency` at a time. */
async function opsInBatches(count: number, concurrency: number, call: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await call(next++);
    }),
  );
}
