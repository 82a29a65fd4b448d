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

  it("reads times exactly, to the millisecond, whatever the connection's TimeZone and DateStyle", async () => {
    // A host's pool may set any session defaults; times must not depend on them.
    const pool = new pg.Pool({ connectionString: postgres.server().url, max: 2, options: '-c TimeZone=Pacific/Chatham -c DateStyle=SQL,DMY' });
    try {
      const store = new PostgresSessionStore({ pool, schema: 'host_zone' });
      // Fractions with trailing zeros, none at all, and a time before 1970.
      const times = ['2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.100Z', '2026-01-02T03:04:05.120Z', '2026-01-02T03:04:05.123Z', '1969-12-31T23:59:59.999Z'];
      const sessions = times.map((time, i) => ({
        id: `sess_zone_${i}`,
        dbConnectionId: 'db-zone',
        status: 'active' as const,
        mode: 'full_autonomy' as const,
        recursionLimit: 10,
        title: null,
        createdAt: time,
        updatedAt: time,
        metadata: {},
        version: 1,
      }));
      for (const session of sessions) expect(await store.insert(session)).to.equal(true);
      for (const session of sessions) expect(await store.get(session.id)).to.deep.equal(session);
      const newestFirst = [...sessions].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
      expect((await store.list({ dbConnectionId: 'db-zone', limit: 10, offset: 0 })).sessions).to.deep.equal(newestFirst);
      const page = await store.search({ filter: { dbConnectionId: 'db-zone' }, sortBy: 'createdAt', sortOrder: 'desc', limit: 10 });
      expect(page.sessions).to.deep.equal(newestFirst);
      const outcome = await store.update(sessions[1].id, { title: 'renamed' }, { now: Date.parse('2026-01-02T03:04:06.200Z') });
      expect(outcome).to.include({ outcome: 'updated' });
      expect((outcome as { session: { updatedAt: string } }).session.updatedAt).to.equal('2026-01-02T03:04:06.200Z');
      expect((await store.get(sessions[1].id))?.updatedAt).to.equal('2026-01-02T03:04:06.200Z');
      await store.close();
    } finally {
      await pool.end();
    }
  });

  it('returns any text in titles, db connection ids and metadata exactly in list and search pages', async () => {
    const manager = new AgentSessionManager(postgres.newStore());
    const awkward = 'quote " backslash \\ slash / newline \n tab \t bell \u0007 emoji 🧪 accents éß 中文 \u2028';
    const created = [
      await manager.create({ dbConnectionId: awkward, title: awkward, metadata: { [awkward]: awkward, nested: { list: [1, 2.5, -0.125, true, null, 'x'] }, big: 1e21 } }),
      await manager.create({ dbConnectionId: awkward, title: '', metadata: {} }),
      await manager.create({ dbConnectionId: awkward }),
    ];
    // Newest first, ties (the same millisecond) by id, descending.
    const newestFirst = [...created].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : -1));
    const listed = await manager.list({ dbConnectionId: awkward, limit: 10 });
    expect(listed.sessions).to.deep.equal(newestFirst);
    expect(listed.total).to.equal(3);
    const found = await manager.search({ dbConnectionId: awkward, limit: 10 });
    expect(found.sessions).to.deep.equal(newestFirst);
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
