import { expect } from 'chai';
import { AgentSessionManager, type AgentSession } from '../../src/index.js';
import { PostgresSessionStore } from '../../src/postgres.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';
import { countRoundTrips, type RoundTripCounter } from '../helpers/pg-round-trips.js';

// Counts what the store sends through a proxy that counts the client's Sync and Query messages:
// each is one request the client waits for, however many protocol messages it carries. A write
// that recorded an event is also announced to other instances by one NOTIFY after it commits,
// shared by the writes of a few ms (see change-announcer.ts): flushed and counted here too.

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
  // [name, call, whether it records a change event]
  const calls: Array<[string, () => Promise<unknown>, boolean]> = [
    ['create', async () => (session = await manager.create({ dbConnectionId: 'db-rt', metadata: { a: 1 } })), true],
    ['get', () => manager.get(session.id), false],
    ['list', () => manager.list(), false],
    ['list by db', () => manager.list({ dbConnectionId: 'db-rt' }), false],
    ['list by status', () => manager.list({ status: 'active', limit: 5, offset: 1 }), false],
    ['list by db and status', () => manager.list({ dbConnectionId: 'db-rt', status: 'active' }), false],
    ['update', () => manager.update(session.id, { title: 't', status: 'running', metadata: { b: 2 } }), true],
    ['pause', () => manager.pause(session.id), true],
    ['resume', () => manager.resume(session.id), true],
    ['a refused resume', () => manager.resume(session.id).catch(() => undefined), false],
    ['delete', () => manager.delete(session.id), true],
    ['create (for a run)', async () => (run = await manager.create({ dbConnectionId: 'db-rt' })), true],
    ['startRun', () => store.startRun(run.id, { token: 't', leaseMs: 60_000, now: Date.now() }), true],
    ['renewRun', () => store.renewRun(run.id, 't', Date.now() + 90_000), false],
    ['expiredRuns', () => store.expiredRuns(100), false],
    ['endRun', () => store.endRun(run.id, { token: 't', status: 'completed', now: Date.now() }), true],
    ['ping', () => store.ping(), false],
  ];

  for (const [name, call, recordsEvent] of calls) {
    it(`makes exactly one round trip for ${name}${recordsEvent ? ', then one announcement' : ''}`, async () => {
      await store.flushAnnouncements();
      counter.reset();
      await call();
      await store.flushAnnouncements();
      expect(counter.count(), `round trips for ${name}`).to.equal(recordsEvent ? 2 : 1);
    });
  }
});
