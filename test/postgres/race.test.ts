import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { AgentSessionManager, SESSION_STATUSES, type AgentSession } from '../../src/index.js';
import type { PostgresSessionStore } from '../../src/postgres.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';
import { expectGaplessChains, expectLastWinsStored, runRaceWorkers } from '../helpers/race-checks.js';
import type { Win } from '../helpers/recording-store.js';

const SESSIONS = 5;
const WORKER_PATH = fileURLToPath(new URL('./race-worker.ts', import.meta.url));

describe('PostgresSessionStore under a multi-process race', function () {
  this.timeout(90_000);
  const postgres = usePrivatePostgres();
  let store: PostgresSessionStore;
  let manager: AgentSessionManager;
  let sessions: AgentSession[];
  let wins: Win[];

  before(async () => {
    store = postgres.newStore();
    manager = new AgentSessionManager(store);
    sessions = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await manager.create({ dbConnectionId: `db-${i % 2}` }));
    wins = await runRaceWorkers(WORKER_PATH, postgres.server().url, postgres.schemaOf(store), sessions.map((s) => s.id));
  });

  after(() => store?.close());

  it('gives every session a gapless chain of wins, each a legal step from the one before', () => {
    expectGaplessChains(sessions, wins);
  });

  it('ends every session in the state of its last win (no lost update)', async () => {
    await expectLastWinsStored(sessions, wins, manager);
  });

  it('records exactly one event per win, in version order per session, and lists with exact totals', async () => {
    const schema = postgres.schemaOf(store);
    const { rows } = await postgres.admin().query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM "${schema}".session_events WHERE type IN ('updated', 'transitioned')`,
    );
    expect(rows[0].n, 'update events').to.equal(wins.length);
    // In the feed's reading order, each session's events come in the order of its versions.
    const events = await postgres.admin().query<{ id: string; version: number }>(
      `SELECT session->>'id' AS id, (session->>'version')::integer AS version FROM "${schema}".session_events ORDER BY xid, id`,
    );
    const lastVersion = new Map<string, number>();
    for (const event of events.rows) {
      expect(event.version, `event order of ${event.id}`).to.be.greaterThan(lastVersion.get(event.id) ?? 0);
      lastVersion.set(event.id, event.version);
    }
    const stored = await Promise.all(sessions.map((s) => manager.get(s.id)));
    for (const dbConnectionId of [undefined, 'db-0', 'db-1']) {
      for (const status of [undefined, ...SESSION_STATUSES]) {
        const matching = stored.filter((s) => (!dbConnectionId || s.dbConnectionId === dbConnectionId) && (!status || s.status === status));
        const page = await manager.list({ dbConnectionId, status });
        expect(page.total, `total of db ${dbConnectionId} status ${status}`).to.equal(matching.length);
        expect(page.sessions.map((s) => s.id).sort()).to.deep.equal(matching.map((s) => s.id).sort());
      }
    }
  });
});
