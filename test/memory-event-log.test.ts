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
