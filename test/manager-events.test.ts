import { expect } from 'chai';
import {
  AgentSessionManager,
  EventsOverflowError,
  MemorySessionStore,
  NotSupportedError,
  type SessionEvent,
  type SessionStore,
} from '../src/index.js';

describe('manager.events', () => {
  let store: MemorySessionStore;
  let manager: AgentSessionManager;

  beforeEach(() => {
    store = new MemorySessionStore();
    manager = new AgentSessionManager(store);
  });

  it('stops a stream() loop that falls more than maxQueued events behind with EventsOverflowError, after the queued ones', async () => {
    const session = await manager.create({ dbConnectionId: 'db-slow' });
    const stream = manager.events.stream({ maxQueued: 3 });
    const first = stream.next(); // subscribes, then waits
    await manager.update(session.id, { title: 'a' });
    expect((await first).value?.session.title).to.equal('a');
    for (const title of ['b', 'c', 'd', 'e', 'f']) await manager.update(session.id, { title });
    const taken: string[] = [];
    const error = await (async () => {
      for await (const event of stream) taken.push(event.session.title as string);
    })().catch((e: unknown) => e);
    expect(taken).to.deep.equal(['b', 'c', 'd']);
    expect(error).to.be.instanceOf(EventsOverflowError);
    expect((error as EventsOverflowError).lastEventId).to.be.a('string');
    expect(manager.events.listenerCount()).to.equal(0);
  });

  it('filters by session and by db connection, and counts its listeners', async () => {
    const one = await manager.create({ dbConnectionId: 'db-a' });
    const bySession: SessionEvent[] = [];
    const byDb: SessionEvent[] = [];
    const stopSession = await manager.events.subscribe((e) => bySession.push(e), { sessionId: one.id });
    const stopDb = await manager.events.subscribe((e) => byDb.push(e), { dbConnectionId: 'db-b' });
    expect(manager.events.listenerCount()).to.equal(2);
    const two = await manager.create({ dbConnectionId: 'db-b' });
    await manager.pause(one.id);
    await manager.update(two.id, { title: 'x' });
    expect(bySession.map((e) => [e.type, e.session.id])).to.deep.equal([['transitioned', one.id]]);
    expect(byDb.map((e) => [e.type, e.session.id])).to.deep.equal([
      ['created', two.id],
      ['updated', two.id],
    ]);
    stopSession();
    stopSession();
    stopDb();
    expect(manager.events.listenerCount()).to.equal(0);
    expect(store.listenerCount).to.equal(0);
  });

  it('iterates events with stream() until the signal aborts, then unsubscribes', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const event of manager.events.stream({ dbConnectionId: 'db-s', signal: controller.signal })) {
        seen.push(event.type);
        if (seen.length === 2) controller.abort();
      }
    })();
    while (manager.events.listenerCount() === 0) await new Promise((r) => setTimeout(r, 1));
    const session = await manager.create({ dbConnectionId: 'db-s' });
    await manager.delete(session.id);
    await done;
    expect(seen).to.deep.equal(['created', 'deleted']);
    expect(manager.events.listenerCount()).to.equal(0);
  });

  it('ends stream() when the loop breaks', async () => {
    const iterator = manager.events.stream();
    const next = iterator.next();
    while (manager.events.listenerCount() === 0) await new Promise((r) => setTimeout(r, 1));
    await manager.create({ dbConnectionId: 'db-s' });
    expect((await next).value?.type).to.equal('created');
    await iterator.return(undefined);
    expect(manager.events.listenerCount()).to.equal(0);
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const seen: string[] = [];
    const stopBad = await manager.events.subscribe(() => {
      throw new Error('listener bug');
    });
    const stopGood = await manager.events.subscribe((e) => seen.push(e.type));
    await manager.create({ dbConnectionId: 'db-t' });
    expect(seen).to.deep.equal(['created']);
    stopBad();
    stopGood();
  });

  it('refuses events and tasks with NotSupportedError on a store without those capabilities', async () => {
    const memory = new MemorySessionStore();
    const minimal: SessionStore = {
      insert: (s) => memory.insert(s),
      get: (id) => memory.get(id),
      list: (q) => memory.list(q),
      update: (id, p, c) => memory.update(id, p, c),
      delete: (id, c) => memory.delete(id, c),
    };
    const plain = new AgentSessionManager(minimal);
    const session = await plain.create({ dbConnectionId: 'db-m' });
    expect(plain.supportsTasks).to.equal(false);
    expect(plain.events.supported).to.equal(false);
    let error: unknown;
    await plain.events.subscribe(() => {}).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(NotSupportedError);
    error = undefined;
    await plain.runTask(session.id, async () => {}).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(NotSupportedError);
    expect(() => plain.startLeaseReaper()).to.throw(NotSupportedError);
  });
});
