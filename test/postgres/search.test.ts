import { expect } from 'chai';
import { AgentSessionManager } from '../../src/index.js';
import { encodeCursor, searchFingerprint } from '../../src/domain/search-cursor.js';
import { loadConfig } from '../../src/server/config.js';
import { createStoreFromConfig } from '../../src/server/store-from-config.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';

describe('PostgresSessionStore search', function () {
  this.timeout(60_000);
  const postgres = usePrivatePostgres();

  it('gets INDEXED_METADATA_KEYS from the server config and makes their indexes at start', async () => {
    const { config, problems } = loadConfig({
      STORE: 'postgres',
      DATABASE_URL: postgres.server().url,
      DATABASE_SCHEMA: 'search_config',
      INDEXED_METADATA_KEYS: 'user_id,team.name',
    });
    expect(problems).to.deep.equal([]);
    const store = await createStoreFromConfig(config!);
    try {
      expect(store.indexedMetadataKeys).to.deep.equal(['user_id', 'team.name']);
      const { rows } = await postgres.admin().query(
        `SELECT indexname FROM pg_indexes WHERE schemaname = 'search_config' AND indexname LIKE 'sessions_meta_%' ORDER BY 1`,
      );
      expect(rows).to.have.length(8);
      const keys = await postgres.admin().query('SELECT key FROM search_config.search_keys ORDER BY key');
      expect(keys.rows.map((r) => r.key)).to.deep.equal(['team.name', 'user_id']);
    } finally {
      await store.close?.();
    }
  });

  it('counts sessions that existed before a key was indexed, and matches values by JSON type', async () => {
    const before = postgres.newStoreWithSchema('search_later');
    const early = new AgentSessionManager(before);
    await early.create({ dbConnectionId: 'db-1', metadata: { user_id: '1' } });
    await early.create({ dbConnectionId: 'db-1', metadata: { user_id: 1 } });
    await early.create({ dbConnectionId: 'db-2', metadata: { user_id: true } });
    await before.close();
    const store = postgres.newStoreWithSchema('search_later', { indexedMetadataKeys: ['user_id'] });
    try {
      const manager = new AgentSessionManager(store);
      await manager.create({ dbConnectionId: 'db-1', metadata: { user_id: 1 } });
      expect(await manager.count({ metadata: { user_id: 1 } })).to.equal(2);
      expect(await manager.count({ metadata: { user_id: '1' } })).to.equal(1);
      expect(await manager.count({ metadata: { user_id: true }, dbConnectionId: 'db-2' })).to.equal(1);
      const page = await manager.search({ metadata: { user_id: 1 }, status: ['active'], sortBy: 'updatedAt' });
      expect(page.total).to.equal(2);
      expect(page.sessions.map((s) => s.metadata.user_id)).to.deep.equal([1, 1]);
    } finally {
      await store.close();
    }
  });

  it('answers a cursor positioned beyond any date (crafted) with a page, not an error', async () => {
    const store = postgres.newStore({ indexedMetadataKeys: ['user_id'] });
    try {
      const manager = new AgentSessionManager(store);
      const session = await manager.create({ dbConnectionId: 'db-1' });
      const cursor = encodeCursor(searchFingerprint({}, 'createdAt', 'desc'), { at: Number.MAX_SAFE_INTEGER, id: 'zzz' });
      const page = await manager.search({ cursor });
      expect(page.sessions.map((s) => s.id)).to.deep.equal([session.id]);
    } finally {
      await postgres.harness.dispose?.(store);
    }
  });

  it('reads a filtered page from the db/key/status index, not by scanning the table', async () => {
    const store = postgres.newStoreWithSchema('search_plan', { indexedMetadataKeys: ['user_id'] });
    try {
      await store.migrate();
      const admin = postgres.admin();
      // Triggers off for the load: only the plan matters here.
      await admin.query('ALTER TABLE search_plan.sessions DISABLE TRIGGER USER');
      await admin.query(`INSERT INTO search_plan.sessions (id, db_connection_id, status, mode, recursion_limit, title, created_at, updated_at, metadata, version)
        SELECT 'sess_' || i, 'db-' || (i % 7), (ARRAY['active','paused','running','completed','failed'])[i % 5 + 1], 'full_autonomy', 100, NULL,
          now(), now() + i * interval '1 ms', jsonb_build_object('user_id', 'u' || (i % 13)), 1
        FROM generate_series(1, 20000) i`);
      await admin.query('ANALYZE search_plan.sessions');
      const { searchStatement } = await import('../../src/adapters/postgres/search-query.js');
      const { text, values } = searchStatement('"search_plan"', {
        filter: { dbConnectionId: 'db-1', statuses: ['active', 'paused'], metadata: { user_id: 'u3' } },
        sortBy: 'updatedAt',
        sortOrder: 'desc',
        limit: 10,
        after: { at: Date.now() + 60_000, id: 'sess_x' },
      }, ['user_id']);
      // Planned with these values, as the store's unnamed statements are.
      const plan = JSON.stringify((await admin.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows[0]['QUERY PLAN']);
      expect(plan).to.include('sessions_meta_');
      expect(plan).not.to.include('Seq Scan');
      expect(plan).not.to.include('"Node Type": "Sort"');
    } finally {
      await store.close();
    }
  });
});
