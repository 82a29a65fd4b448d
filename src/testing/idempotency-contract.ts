import assert from 'node:assert/strict';
import { IdempotencyKeyReusedError, NotSupportedError, ValidationError } from '../domain/errors.js';
import { AgentSessionManager } from '../domain/manager.js';
import type { ContractContext } from './contract-helpers.js';

// Idempotent create, for stores that have `insertOnce`. Part of the store contract suite.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the idempotent-create tests; `context()` gives the current test's store and manager. */
export function describeIdempotencyContract(context: () => ContractContext): void {
  describe('idempotent create', () => {
    const manager = () => context().manager;
    const input = { dbConnectionId: 'db-idem', title: 'once', metadata: { a: 1, b: [1, 2] } };

    beforeEach(function () {
      if (!context().store.insertOnce) this.skip();
    });

    it('answers the first session again for the same key and input, and creates nothing more', async () => {
      const first = await manager().createWithOutcome(input, { idempotencyKey: 'key-1' });
      const again = await manager().createWithOutcome({ ...input, metadata: { b: [1, 2], a: 1 } }, { idempotencyKey: 'key-1' });
      assert.equal(first.replayed, false);
      assert.equal(again.replayed, true, 'the second create with key-1 is a replay');
      assert.deepEqual(again.session, first.session);
      assert.equal((await manager().list({ dbConnectionId: 'db-idem' })).total, 1);
    });

    it('refuses the same key with different input, naming the first session', async () => {
      const first = await manager().create(input, { idempotencyKey: 'key-2' });
      await assert.rejects(manager().create({ ...input, title: 'other' }, { idempotencyKey: 'key-2' }), (error: unknown) => {
        assert.ok(error instanceof IdempotencyKeyReusedError, `expected IdempotencyKeyReusedError, got ${String(error)}`);
        assert.equal(error.sessionId, first.id);
        return true;
      });
      assert.equal((await manager().list({ dbConnectionId: 'db-idem' })).total, 1);
    });

    it('treats different keys, different scopes and no key as different creates', async () => {
      const a = await manager().create(input, { idempotencyKey: 'key-3' });
      const b = await manager().create(input, { idempotencyKey: 'key-4' });
      const c = await manager().create(input, { idempotencyKey: 'key-3', idempotencyScope: 'caller-2' });
      const d = await manager().create(input);
      assert.equal(new Set([a.id, b.id, c.id, d.id]).size, 4);
      assert.equal((await manager().create(input, { idempotencyKey: 'key-3', idempotencyScope: 'caller-2' })).id, c.id);
    });

    it('creates exactly one session for many concurrent creates with one key', async () => {
      const results = await Promise.all(
        Array.from({ length: 24 }, () => manager().createWithOutcome(input, { idempotencyKey: 'key-race' })),
      );
      assert.equal(new Set(results.map((r) => r.session.id)).size, 1, 'one session id for every create');
      assert.equal(results.filter((r) => !r.replayed).length, 1, 'exactly one create was not a replay');
      assert.equal((await manager().list({ dbConnectionId: 'db-idem' })).total, 1);
    });

    it('still answers the first session after it was deleted, within the TTL', async () => {
      const first = await manager().create(input, { idempotencyKey: 'key-5' });
      await manager().delete(first.id);
      assert.equal((await manager().create(input, { idempotencyKey: 'key-5' })).id, first.id);
    });

    it('forgets a key once its TTL has passed', async () => {
      const shortLived = new AgentSessionManager(context().store, { idempotencyTtlMs: 50 });
      const first = await shortLived.create(input, { idempotencyKey: 'key-6' });
      await sleep(150);
      const second = await shortLived.createWithOutcome(input, { idempotencyKey: 'key-6' });
      assert.notEqual(second.session.id, first.id);
      assert.equal(second.replayed, false);
    });

    it('refuses an empty, over-long or non-ASCII key', async () => {
      for (const idempotencyKey of ['', 'k'.repeat(256), 'clé']) {
        await assert.rejects(manager().create(input, { idempotencyKey }), ValidationError, `key ${JSON.stringify(idempotencyKey)}`);
      }
      assert.equal((await manager().list({ dbConnectionId: 'db-idem' })).total, 0);
    });
  });

  describe('idempotent create without store support', () => {
    it('is refused as not supported, creating nothing', async function () {
      const { store } = context();
      if (store.insertOnce) this.skip();
      await assert.rejects(context().manager.create({ dbConnectionId: 'db-idem' }, { idempotencyKey: 'k' }), NotSupportedError);
    });
  });
}
