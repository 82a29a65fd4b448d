import assert from 'node:assert/strict';
import type { AgentSession, SessionStatus } from '../domain/session.js';
import { SESSION_STATUSES } from '../domain/session.js';
import { canTransition } from '../domain/state-machine.js';
import { InvalidTransitionError } from '../domain/errors.js';
import type { ContractContext } from './contract-helpers.js';

/** Registers every allowed and forbidden transition, through the manager; `context()` gives the current test's store and manager. */
export function describeStateMachineContract(context: () => ContractContext): void {
  const manager = () => context().manager;

  describe('state machine through the manager', () => {
    async function sessionIn(status: SessionStatus): Promise<AgentSession> {
      const session = await manager().create({ dbConnectionId: 'db-sm' });
      return status === 'active' ? session : manager().update(session.id, { status });
    }

    for (const from of SESSION_STATUSES) {
      for (const to of SESSION_STATUSES) {
        if (from === to) continue;
        const allowed = canTransition(from, to);
        it(`${allowed ? 'allows' : 'refuses'} ${from} -> ${to}`, async () => {
          const session = await sessionIn(from);
          if (allowed) {
            const moved = await manager().update(session.id, { status: to });
            assert.equal(moved.status, to);
            assert.equal(moved.version, session.version + 1);
            assert.equal((await manager().list({ status: to, dbConnectionId: 'db-sm' })).total, 1);
          } else {
            await assert.rejects(manager().update(session.id, { status: to }), InvalidTransitionError);
            assert.deepEqual(await manager().get(session.id), session);
          }
        });
      }
    }

    for (const status of SESSION_STATUSES) {
      it(`treats PATCH to the same status (${status}) as a no-op`, async () => {
        const session = await sessionIn(status);
        assert.deepEqual(await manager().update(session.id, { status }), session);
      });

      const pausable = status === 'active' || status === 'running';
      it(`${pausable ? 'pauses' : 'refuses to pause'} a session that is ${status}`, async () => {
        const session = await sessionIn(status);
        if (pausable) assert.equal((await manager().pause(session.id)).status, 'paused');
        else await assert.rejects(manager().pause(session.id), InvalidTransitionError);
      });

      it(`${status === 'paused' ? 'resumes' : 'refuses to resume'} a session that is ${status}`, async () => {
        const session = await sessionIn(status);
        if (status === 'paused') assert.equal((await manager().resume(session.id)).status, 'active');
        else await assert.rejects(manager().resume(session.id), InvalidTransitionError);
      });
    }

    it('still changes title and metadata of a terminal session', async () => {
      const session = await sessionIn('failed');
      const updated = await manager().update(session.id, { title: 'post-mortem', metadata: { why: 'oom' } });
      assert.equal(updated.status, 'failed');
      assert.equal(updated.title, 'post-mortem');
    });
  });
}
