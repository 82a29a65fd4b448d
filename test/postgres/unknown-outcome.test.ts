import { expect } from 'chai';
import { AgentSessionManager, WriteOutcomeUnknownError } from '../../src/index.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';

// A lock taken by another connection holds the store's INSERT past the client's statement
// timeout; once the lock goes, PostgreSQL runs it: the caller saw a failure, yet the write was
// applied. That caller must hear "outcome unknown", not "unavailable, try again".

describe('PostgresSessionStore writes that time out', function () {
  this.timeout(30_000);
  const postgres = usePrivatePostgres();

  it('report an unknown outcome naming the session a timed-out create may have made', async () => {
    const store = postgres.newStore();
    const manager = new AgentSessionManager(store);
    const locker = await postgres.admin().connect();
    try {
      await manager.list(); // schema in place and connected: the failure below comes from the write
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${postgres.schemaOf(store)}".sessions IN EXCLUSIVE MODE`);
      const error = await manager.create({ dbConnectionId: 'db-unknown' }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      await locker.query('COMMIT');
      expect(error, 'create error').to.be.instanceOf(WriteOutcomeUnknownError);
      const id = /'(sess_[^']+)'/.exec((error as Error).message)?.[1];
      expect(id, `session id in "${(error as Error).message}"`).to.be.a('string');
      // Once the lock went, PostgreSQL ran the INSERT: the session the message names exists.
      let stored = await manager.list({ dbConnectionId: 'db-unknown' });
      for (let i = 0; i < 100 && stored.total === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        stored = await manager.list({ dbConnectionId: 'db-unknown' });
      }
      expect(stored.sessions.map((s) => s.id)).to.deep.equal([id]);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      locker.release();
      await store.close();
    }
  });

});
