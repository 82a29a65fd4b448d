import { expect } from 'chai';
import { MemorySessionStore, createAgentSessionManager, type SessionEvent } from '../src/index.js';

describe('MemorySessionStore event retention', () => {
  it('replays only the last `eventRetention` events, oldest first, to a subscriber resuming after an id', async () => {
    const store = new MemorySessionStore({ eventRetention: 3 });
    const manager = createAgentSessionManager({ store });
    const session = await manager.create({ dbConnectionId: 'db-ring' }); // event 1
    for (const title of ['a', 'b', 'c', 'd']) await manager.update(session.id, { title }); // events 2-5
    const replayed: SessionEvent[] = [];
    const unsubscribe = await store.subscribe((event) => replayed.push(event), { after: '1' });
    unsubscribe();
    // Event 2 fell out of the window of three; 3, 4 and 5 come in order.
    expect(replayed.map((e) => [e.id, e.session.title])).to.deep.equal([
      ['3', 'b'],
      ['4', 'c'],
      ['5', 'd'],
    ]);
  });
});

describe('MemorySessionStore event retention by bytes', () => {
  it('keeps only as many recent events as fit in `eventRetentionBytes`, always at least the newest', async () => {
    const store = new MemorySessionStore({ eventRetentionBytes: 64 * 1024 });
    const manager = createAgentSessionManager({ store });
    const session = await manager.create({ dbConnectionId: 'db-bytes' });
    for (let i = 0; i < 20; i++) await manager.update(session.id, { metadata: { i, blob: 'b'.repeat(10_000) } });
    const { events, bytes } = store.retainedEvents;
    expect(bytes).to.be.at.most(64 * 1024);
    expect(events).to.be.within(5, 6);
    await manager.update(session.id, { metadata: { huge: 'h'.repeat(60_000) } });
    await manager.update(session.id, { metadata: { huge: 'H'.repeat(65_000) } });
    expect(store.retainedEvents.events, 'the newest event, larger than the bound, is kept alone').to.equal(1);
  });

  it('refuses a retention that is not a positive whole number', () => {
    expect(() => new MemorySessionStore({ eventRetentionBytes: 0 })).to.throw(TypeError, /eventRetentionBytes/);
    expect(() => new MemorySessionStore({ eventRetention: 1.5 })).to.throw(TypeError, /eventRetention/);
  });
});
