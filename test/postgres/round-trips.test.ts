import { expect } from 'chai';
import { AgentSessionManager, type AgentSession } from '../../src/index.js';
import { PostgresSessionStore } from '../../src/postgres.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';
import { countRoundTrips, type RoundTripCounter } from '../helpers/pg-round-trips.js';

// Counts what the store sends through a proxy that counts the client's Sync and Query messages:
// each is one request the client waits for, however many protocol messages it carries.

describe('PostgresSessionStore round trips', function () {
  const postgres = usePrivatePostgres();
  let counter: RoundTripCounter;
  let store: PostgresSessionStore;
  let manager: AgentSessionManager;

  before(async () => {
    counter = await countRoundTrips(postgres.server().port);
    // One connection, so every statement is prepared on it once, in the warm-up below.
    store = new PostgresSessionStore({ url: `postgres://postgres@127.0.0.1:${counter.port}/postgres`, schema: 'round_trips', poolSize: 1 });
    manager = new AgentSessionManager(store);
    const warm = await manager.create({ dbConnectionId: 'warm' });
    await manager.get(warm.id);
    await manager.pause(warm.id);
    for (const query of [{}, { dbConnectionId: 'x' }, { status: 'active' as const }, { dbConnectionId: 'x', status: 'active' as const }]) {
      await manager.list(query);
    }
    await manager.resume(warm.id);
    await store.startRun(warm.id, { token: 'warm', leaseMs: 60_000, now: Date.now() });
    await store.renewRun(warm.id, 'warm', Date.now() + 60_000);
    await store.expiredRuns(100);
    await store.endRun(warm.id, { token: 'warm', status: 'active', now: Date.now() });
    await manager.delete(warm.id);
  });

  after(async () => {
    await store?.close();
    await counter?.close();
  });

  let session: AgentSession;
  let run: AgentSession;
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['create', async () => (session = await manager.create({ dbConnectionId: 'db-rt', metadata: { a: 1 } }))],
    ['get', () => manager.get(session.id)],
    ['list', () => manager.list()],
    ['list by db', () => manager.list({ dbConnectionId: 'db-rt' })],
    ['list by status', () => manager.list({ status: 'active', limit: 5, offset: 1 })],
    ['list by db and status', () => manager.list({ dbConnectionId: 'db-rt', status: 'active' })],
    ['update', () => manager.update(session.id, { title: 't', status: 'running', metadata: { b: 2 } })],
    ['pause', () => manager.pause(session.id)],
    ['resume', () => manager.resume(session.id)],
    ['a refused resume', () => manager.resume(session.id).catch(() => undefined)],
    ['delete', () => manager.delete(session.id)],
    ['create (for a run)', async () => (run = await manager.create({ dbConnectionId: 'db-rt' }))],
    ['startRun', () => store.startRun(run.id, { token: 't', leaseMs: 60_000, now: Date.now() })],
    ['renewRun', () => store.renewRun(run.id, 't', Date.now() + 90_000)],
    ['expiredRuns', () => store.expiredRuns(100)],
    ['endRun', () => store.endRun(run.id, { token: 't', status: 'completed', now: Date.now() })],
    ['ping', () => store.ping()],
  ];

  for (const [name, call] of calls) {
    it(`makes exactly one round trip for ${name}`, async () => {
      counter.reset();
      await call();
      expect(counter.count(), `round trips for ${name}`).to.equal(1);
    });
  }
});
