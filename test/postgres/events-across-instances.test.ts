import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { AgentSessionManager, type SessionEvent } from '../../src/index.js';
import { COLLECTION_PATH, startServer } from '../../src/server/index.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';
import { describeEventsAcrossInstances } from '../helpers/events-across-instances.js';
import { startServerProcess, stopServerProcess as stop } from '../helpers/server-process.js';
import { connectSse } from '../helpers/sse-client.js';

const SCHEMA = `events_${process.pid}`;

const waitFor = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('change events across server instances sharing one PostgreSQL', function () {
  this.timeout(90_000);
  const postgres = usePrivatePostgres();
  let a: { child: ChildProcess; url: string } | undefined;
  let b: { child: ChildProcess; url: string } | undefined;

  before(async function () {
    this.timeout(60_000);
    const env = { STORE: 'postgres', DATABASE_URL: postgres.server().url, DATABASE_SCHEMA: SCHEMA, DATABASE_POOL_SIZE: '4' };
    // Both start at once: the migrations' advisory lock lets one create the schema, the other wait.
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });

  after(async () => {
    await Promise.all([stop(a?.child), stop(b?.child)]);
  });

  describeEventsAcrossInstances(() => ({
    urlA: (a as { url: string }).url,
    urlB: (b as { url: string }).url,
    newStore: () => postgres.newStoreWithSchema(SCHEMA),
  }));

  it('loses no event while its LISTEN connection is cut and reconnects', async () => {
    const store = postgres.newStoreWithSchema(SCHEMA);
    const seen: SessionEvent[] = [];
    const unsubscribe = await store.subscribe((event) => seen.push(event));
    const writerStore = postgres.newStoreWithSchema(SCHEMA);
    const writer = new AgentSessionManager(writerStore);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        if (i % 10 === 5) {
          // Cuts every listening connection of the schema's channel (this test's listener among them).
          await postgres.admin().query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN "${SCHEMA}_events"%' AND pid <> pg_backend_pid()`,
          );
        }
        ids.push((await writer.create({ dbConnectionId: 'db-cut' })).id);
      }
      await waitFor(() => ids.every((id) => seen.some((e) => e.session.id === id)), 'every created event');
      const created = seen.filter((e) => e.type === 'created' && e.session.dbConnectionId === 'db-cut').map((e) => e.session.id);
      expect(created, 'created events, in order, once each').to.deep.equal(ids);
    } finally {
      unsubscribe();
      await store.close();
      await writerStore.close();
    }
  });

  it('closes its LISTEN connection and every listener after 300 SSE connect/disconnect cycles', async () => {
    const store = postgres.newStore();
    const manager = new AgentSessionManager(store);
    const server = await startServer({ manager, port: 0, leaseReaperIntervalMs: false, onUnexpectedError: (e) => console.error(e) });
    const listening = async () =>
      (
        await postgres.admin().query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN "${postgres.schemaOf(store)}_events"%'`,
        )
      ).rows[0].n;
    try {
      for (let i = 0; i < 300; i++) {
        const client = await connectSse(`${server.url}${COLLECTION_PATH}/events`);
        client.close();
        await client.ended;
      }
      await waitFor(() => manager.events.listenerCount() === 0 && store.listenerCount === 0, 'listeners to leave');
      let connections = await listening();
      for (let i = 0; i < 100 && connections > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        connections = await listening();
      }
      expect(connections, 'LISTEN connections after the cycles').to.equal(0);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('keeps the events table to about the configured retention', async () => {
    const store = postgres.newStore({ eventRetention: 200 });
    const manager = new AgentSessionManager(store);
    for (let i = 0; i < 1000; i++) await manager.create({ dbConnectionId: 'db-trim' });
    const { rows } = await postgres.admin().query<{ n: number }>(`SELECT count(*)::integer AS n FROM "${postgres.schemaOf(store)}".session_events`);
    // Trimmed every 100 writes to the newest 200: never more than 200 + 100.
    expect(rows[0].n).to.be.at.most(300).and.at.least(200);
    await store.close();
  });
});
