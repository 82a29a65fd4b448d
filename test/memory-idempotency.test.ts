import { expect } from 'chai';
import { AgentSessionManager, MemorySessionStore } from '../src/index.js';

describe('MemorySessionStore idempotency records', () => {
  const input = { dbConnectionId: 'db-mem' };

  it('judges expiry by the manager clock', async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const manager = new AgentSessionManager(new MemorySessionStore(), { clock: () => now, idempotencyTtlMs: 60_000 });
    const first = await manager.create(input, { idempotencyKey: 'k' });
    now += 59_999;
    expect((await manager.create(input, { idempotencyKey: 'k' })).id, 'just inside the TTL').to.equal(first.id);
    now += 1;
    expect((await manager.create(input, { idempotencyKey: 'k' })).id, 'at the TTL').to.not.equal(first.id);
  });

  it('keeps at most idempotencyMaxKeys records, forgetting the oldest first', async () => {
    const manager = new AgentSessionManager(new MemorySessionStore({ idempotencyMaxKeys: 2 }));
    const a = await manager.create(input, { idempotencyKey: 'a' });
    const b = await manager.create(input, { idempotencyKey: 'b' });
    await manager.create(input, { idempotencyKey: 'c' });
    expect((await manager.create(input, { idempotencyKey: 'b' })).id, 'b is still kept').to.equal(b.id);
    expect((await manager.create(input, { idempotencyKey: 'a' })).id, 'a was dropped for c').to.not.equal(a.id);
  });

  it('drops the oldest record when full, which is the expired one when TTLs are alike', async () => {
    let now = 0;
    const store = new MemorySessionStore({ idempotencyMaxKeys: 2 });
    const shortLived = new AgentSessionManager(store, { clock: () => now, idempotencyTtlMs: 10 });
    const longLived = new AgentSessionManager(store, { clock: () => now, idempotencyTtlMs: 1_000 });
    await shortLived.create(input, { idempotencyKey: 'short' });
    const kept = await longLived.create(input, { idempotencyKey: 'long' });
    now = 20;
    await longLived.create(input, { idempotencyKey: 'new' });
    expect((await longLived.create(input, { idempotencyKey: 'long' })).id).to.equal(kept.id);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new MemorySessionStore({ idempotencyMaxKeys: 0 })).to.throw(TypeError, /idempotencyMaxKeys/);
  });
});
