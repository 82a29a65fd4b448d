import assert from 'node:assert/strict';
import type { AgentSession, SessionStatus } from '../domain/session.js';
import { InvalidTransitionError, SessionNotFoundError, VersionConflictError } from '../domain/errors.js';
import type { ContractContext } from './contract-helpers.js';

/** Registers races: exactly one winner of conflicting writes, no lost update; `context()` gives the current test's store and manager. */
export function describeConcurrencyContract(context: () => ContractContext): void {
  const manager = () => context().manager;

  describe('concurrency', () => {
    const N = 24;

    it('lets exactly one of many concurrent pauses win', async () => {
      const session = await manager().create({ dbConnectionId: 'db-race' });
      const results = await Promise.allSettled(Array.from({ length: N }, () => manager().pause(session.id)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof InvalidTransitionError);
      assert.equal((await manager().get(session.id)).version, 2);
    });

    it('lets exactly one of two conflicting terminal transitions win, many times over', async () => {
      const session = await manager().create({ dbConnectionId: 'db-race' });
      const targets: SessionStatus[] = Array.from({ length: N }, (_, i) => (i % 2 ? 'completed' : 'failed'));
      const results = await Promise.allSettled(targets.map((status) => manager().update(session.id, { status })));
      // Once one side has won, the same target again is a no-op success; the other side loses.
      const winners = new Set(results.flatMap((r, i) => (r.status === 'fulfilled' ? [targets[i]] : [])));
      assert.equal(winners.size, 1);
      const [winner] = winners;
      for (const [i, r] of results.entries()) {
        if (targets[i] !== winner) assert.ok(r.status === 'rejected' && r.reason instanceof InvalidTransitionError);
      }
      const final = await manager().get(session.id);
      assert.equal(final.status, winner);
      assert.equal(final.version, 2);
      assert.equal((await manager().list({ dbConnectionId: 'db-race', status: winner })).total, 1);
    });

    it('lets exactly one of many writes based on the same version win', async () => {
      const session = await manager().create({ dbConnectionId: 'db-race' });
      const results = await Promise.allSettled(
        Array.from({ length: N }, (_, i) => manager().update(session.id, { metadata: { i } }, { ifVersion: 1 })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof VersionConflictError);
    });

    it('loses no update among many concurrent unconditional writes', async () => {
      const session = await manager().create({ dbConnectionId: 'db-race' });
      const written = await Promise.all(
        Array.from({ length: N }, (_, i) => manager().update(session.id, { metadata: { i } })),
      );
      assert.deepEqual(
        written.map((s) => s.version).sort((a, b) => a - b),
        Array.from({ length: N }, (_, i) => i + 2),
      );
      const final = await manager().get(session.id);
      assert.equal(final.version, N + 1);
      assert.deepEqual(final.metadata, (written.find((s) => s.version === N + 1) as AgentSession).metadata);
    });

    it('lets exactly one of many concurrent deletes win', async () => {
      const session = await manager().create({ dbConnectionId: 'db-race' });
      const results = await Promise.allSettled(Array.from({ length: N }, () => manager().delete(session.id)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof SessionNotFoundError);
      assert.equal((await manager().list({ dbConnectionId: 'db-race' })).total, 0);
    });
  });
}
