import { expect } from 'chai';
import pg from 'pg';
import { AgentSessionManager, ValidationError } from '../../src/index.js';
import { PostgresSessionStore } from '../../src/postgres.js';
import { COLLECTION_PATH, startServer } from '../../src/server/index.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';

describe('PostgresSessionStore options and limits', function () {
  this.timeout(30_000);
  const postgres = usePrivatePostgres();

  it("uses the host's own pool and leaves it open on close()", async () => {
    const pool = new pg.Pool({ connectionString: postgres.server().url, max: 2 });
    try {
      const store = new PostgresSessionStore({ pool, schema: 'host_pool' });
      const manager = new AgentSessionManager(store);
      const session = await manager.create({ dbConnectionId: 'db-host' });
      await store.close();
      const { rows } = await pool.query('SELECT id FROM host_pool.sessions');
      expect(rows).to.deep.equal([{ id: session.id }]);
    } finally {
      await pool.end();
    }
  });

  it('refuses a schema name that would need quoting', () => {
    for (const schema of ['Agent', 'a-b', '1abc', 'a"b', '', 'x'.repeat(57)]) {
      expect(() => new PostgresSessionStore({ url: postgres.server().url, schema }), schema).to.throw(TypeError, /schema name/);
    }
  });

  it('refuses text PostgreSQL cannot store (U+0000) with a ValidationError, and HTTP 400', async () => {
    const store = postgres.newStore();
    const manager = new AgentSessionManager(store);
    const server = await startServer({ manager, port: 0, leaseReaperIntervalMs: false });
    try {
      const session = await manager.create({ dbConnectionId: 'db-nul' });
      expect(await manager.update(session.id, { title: 'a\u0000b' }).catch((e: unknown) => e)).to.be.instanceOf(ValidationError);
      expect((await manager.get(session.id)).title, 'title after the refused update').to.equal(null);
      const error = await manager.create({ dbConnectionId: 'db-nul', metadata: { note: 'a\u0000b' } }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ValidationError);
      const response = await fetch(`${server.url}${COLLECTION_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ db_connection_id: 'db-nul', title: 'a\u0000b' }),
      });
      expect(response.status).to.equal(400);
      expect(((await response.json()) as { detail: string }).detail).to.match(/U\+0000/);
    } finally {
      await server.close(0);
      await store.close();
    }
  });

  it("judges leases by the database's clock, whatever the host's clock says", async () => {
    const store = postgres.newStore();
    const manager = new AgentSessionManager(store);
    try {
      const hostAhead = Date.now() + 3_600_000; // a host whose clock is an hour fast
      const fresh = await manager.create({ dbConnectionId: 'db-clock' });
      await store.startRun(fresh.id, { token: 'a', leaseMs: 60_000, now: hostAhead });
      expect(await store.expiredRuns(10), 'a 60 s lease, on a host an hour fast').to.deep.equal([]);
      const reap = await store.endRun(fresh.id, { expired: true, status: 'failed', now: hostAhead });
      expect(reap.outcome).to.equal('not_holder');
      const hostBehind = Date.now() - 3_600_000; // and one an hour slow
      const stale = await manager.create({ dbConnectionId: 'db-clock' });
      await store.startRun(stale.id, { token: 'b', leaseMs: -1, now: hostBehind });
      expect(await store.expiredRuns(10), 'an already expired lease, on a host an hour slow').to.deep.equal([stale.id]);
    } finally {
      await store.close();
    }
  });
});
