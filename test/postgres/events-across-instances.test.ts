import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { AgentSessionManager, type SessionEvent } from '../../src/index.js';
import { COLLECTION_PATH } from '../../src/server/index.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';
import { callOk as call, startServerProcess, stopServerProcess as stop } from '../helpers/server-process.js';
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

  it('streams to an SSE client of instance A, in order, the changes made through instance B, and resumes by Last-Event-ID', async () => {
    const { url: urlA } = a as { url: string };
    const { url: urlB } = b as { url: string };
    const client = await connectSse(`${urlA}${COLLECTION_PATH}/events?db_connection_id=db-x`);
    const libraryStore = postgres.newStoreWithSchema(SCHEMA);
    const seenByLibrary: SessionEvent[] = [];
    const unsubscribe = await new AgentSessionManager(libraryStore).events.subscribe((event) => seenByLibrary.push(event), { dbConnectionId: 'db-x' });
    try {
      const created = await call(urlB, 'POST', COLLECTION_PATH, { db_connection_id: 'db-x', title: 'from B' });
      const { session_id: id } = (await created.json()) as { session_id: string };
      await call(urlB, 'PATCH', `${COLLECTION_PATH}/${id}`, { metadata: { step: 1 } });
      await call(urlB, 'POST', `${COLLECTION_PATH}/${id}/pause`);
      await call(urlB, 'POST', `${COLLECTION_PATH}/${id}/resume`);
      await call(urlB, 'DELETE', `${COLLECTION_PATH}/${id}`);
      const expected = [
        ['created', null, 'active'],
        ['updated', 'active', 'active'],
        ['transitioned', 'active', 'paused'],
        ['transitioned', 'paused', 'active'],
        ['deleted', 'active', 'active'],
      ];
      const messages = await client.until((m) => m.data.type === 'deleted');
      expect(messages.map((m) => [m.data.type, m.data.previous_status, m.data.session.status])).to.deep.equal(expected);
      expect(messages.every((m) => m.data.session.id === id)).to.equal(true);
      await waitFor(() => seenByLibrary.length >= expected.length, 'the library subscriber');
      expect(seenByLibrary.map((e) => e.id), 'the same ids in a third process').to.deep.equal(messages.map((m) => m.id));

      // A client that reconnects to instance B with Last-Event-ID gets what followed, and nothing before.
      const resumed = await connectSse(`${urlB}${COLLECTION_PATH}/events?db_connection_id=db-x`, { 'last-event-id': messages[1].id as string });
      try {
        const replay = await resumed.until((m) => m.data.type === 'deleted');
        expect(replay.map((m) => m.id)).to.deep.equal(messages.slice(2).map((m) => m.id));
      } finally {
        resumed.close();
      }
    } finally {
      client.close();
      unsubscribe();
      await libraryStore.close();
    }
  });

  it('aborts, within 100 ms, a task run here when instance B pauses its session over HTTP', async () => {
    const store = postgres.newStoreWithSchema(SCHEMA);
    const runner = new AgentSessionManager(store);
    try {
      const session = await runner.create({ dbConnectionId: 'db-x' });
      let started!: (signal: AbortSignal) => void;
      const running = new Promise<AbortSignal>((resolve) => (started = resolve));
      const run = runner.runTask(session.id, ({ signal }) => {
        started(signal);
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      });
      const signal = await running;
      const aborted = new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(performance.now())));
      await call((b as { url: string }).url, 'POST', `${COLLECTION_PATH}/${session.id}/pause`);
      const pausedAt = performance.now();
      expect((await aborted) - pausedAt, 'ms from the pause response to the abort').to.be.below(100);
      expect((await run).outcome).to.equal('interrupted');
      expect((await runner.get(session.id)).status).to.equal('paused');
    } finally {
      await store.close();
    }
  });

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
