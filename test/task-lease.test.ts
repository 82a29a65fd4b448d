import { expect } from 'chai';
import { AgentSessionManager, MemorySessionStore } from '../src/index.js';

/** A memory store whose run leases are always refused on renewal, counting the attempts. */
class LosingStore extends MemorySessionStore {
  renewals = 0;

  override async renewRun(): Promise<boolean> {
    this.renewals++;
    return false;
  }
}

describe('task lease renewal', () => {
  it('stops renewing once the store says the lease is lost', async () => {
    const store = new LosingStore();
    const manager = new AgentSessionManager(store);
    const session = await manager.create({ dbConnectionId: 'db-lease' });
    let aborted = false;
    await manager.runTask(
      session.id,
      async ({ signal }) => {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        aborted = true;
        // A handler that keeps going after the abort: the runner must not keep calling the store.
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
      { leaseMs: 30 },
    );
    expect(aborted, 'handler signal aborted').to.equal(true);
    expect(store.renewals, 'renewRun calls after the first refusal').to.equal(1);
  });

  it('uses the memory store clock, not the manager clock, for lease expiry', async () => {
    let storeTime = Date.parse('2026-01-01T00:00:00Z');
    const store = new MemorySessionStore({ clock: () => storeTime });
    const session = await new AgentSessionManager(store).create({ dbConnectionId: 'db-lease' });
    await store.startRun(session.id, { token: 't', leaseMs: 1_000, now: 0 });
    expect(await store.expiredRuns(10)).to.deep.equal([]);
    storeTime += 1_000;
    expect(await store.expiredRuns(10)).to.deep.equal([session.id]);
    expect(await store.renewRun(session.id, 't', 1_000)).to.equal(true);
    expect(await store.expiredRuns(10)).to.deep.equal([]);
  });
});
