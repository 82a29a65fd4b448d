import { expect } from 'chai';
import { AgentSessionManager, type SessionStore, type TaskRunResult } from '../../src/index.js';
import { COLLECTION_PATH, startServer } from '../../src/server/index.js';

// The emergency stop on two store instances sharing one backend (Redis, PostgreSQL): tests are
// registered inside the caller's describe, which starts the backend.

const SESSIONS = 1_000;

/** Registers the tests; `newPair()` gives two stores of two instances sharing the same data. */
export function describeEmergencyStop(newPair: () => SessionStore[]): void {
  let stores: SessionStore[];

  beforeEach(() => {
    stores = newPair();
  });

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close?.()));
  });

  it(`pauses ${SESSIONS} sessions and every running task, on either instance, sees its abort signal`, async () => {
    const managers = stores.map((store) => new AgentSessionManager(store));
    const sessions = [];
    for (let i = 0; i < SESSIONS; i += 100) {
      sessions.push(...(await Promise.all(Array.from({ length: 100 }, () => managers[0].create({ dbConnectionId: 'db-fleet' })))));
    }
    const bystander = await managers[0].create({ dbConnectionId: 'db-elsewhere' });

    const aborted = new Set<string>();
    const runs: Promise<TaskRunResult>[] = [];
    // Started in waves, so a loaded machine does not push start-ups past the store's command timeout.
    for (let wave = 0; wave < SESSIONS; wave += 100) {
      const starts = sessions.slice(wave, wave + 100).map((session, i) => {
        let started!: () => void;
        const running = new Promise<void>((resolve) => (started = resolve));
        const run = managers[(wave + i) % 2].runTask(session.id, ({ signal }) => {
          started();
          return new Promise<void>((resolve) =>
            signal.addEventListener('abort', () => {
              aborted.add(session.id);
              resolve();
            }),
          );
        });
        runs.push(run);
        // A run that fails to start rejects here instead of leaving the wait hanging.
        return Promise.race([running, run]);
      });
      await Promise.all(starts);
    }
    expect((await managers[1].list({ dbConnectionId: 'db-fleet', status: 'running' })).total).to.equal(SESSIONS);

    expect(await managers[1].pauseAll({ dbConnectionId: 'db-fleet' })).to.equal(SESSIONS);

    const results = await Promise.all(runs);
    expect(aborted.size, 'tasks that saw their abort signal').to.equal(SESSIONS);
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'interrupted').length, 'runs that ended interrupted').to.equal(SESSIONS);
    const page = await managers[0].list({ dbConnectionId: 'db-fleet', status: 'paused', limit: 1 });
    expect(page.total, 'paused sessions').to.equal(SESSIONS);
    expect((await managers[0].get(bystander.id)).status, 'a session of another db connection').to.equal('active');

    expect(await managers[0].resumeAll({ dbConnectionId: 'db-fleet' })).to.equal(SESSIONS);
    expect((await managers[1].list({ dbConnectionId: 'db-fleet', status: 'active', limit: 1 })).total).to.equal(SESSIONS);
  });

  it('pauses through HTTP on one instance the tasks running on the other, and answers the count', async () => {
    const [runner, serving] = stores.map((store) => new AgentSessionManager(store));
    const server = await startServer({ manager: serving, port: 0, leaseReaperIntervalMs: false });
    try {
      const sessions = await Promise.all(Array.from({ length: 20 }, () => runner.create({ dbConnectionId: 'db-http-stop' })));
      const aborted: string[] = [];
      const starts = sessions.map((session) => {
        let started!: () => void;
        const running = new Promise<void>((resolve) => (started = resolve));
        const run = runner.runTask(session.id, ({ signal }) => {
          started();
          return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(void aborted.push(session.id))));
        });
        return { run, started: Promise.race([running, run]) };
      });
      await Promise.all(starts.map((s) => s.started));
      const response = await fetch(`${server.url}${COLLECTION_PATH}/pause`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ db_connection_id: 'db-http-stop', status: 'running' }),
      });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ paused: 20 });
      const results = await Promise.all(starts.map((s) => s.run));
      expect(results.map((r) => r.outcome)).to.deep.equal(Array(20).fill('interrupted'));
      expect(aborted.length, 'tasks that saw their abort signal').to.equal(20);
    } finally {
      await server.close();
    }
  });

  it('creates one session for one Idempotency-Key sent to both instances at once', async () => {
    const servers = await Promise.all(
      stores.map((store) => startServer({ manager: new AgentSessionManager(store), port: 0, leaseReaperIntervalMs: false })),
    );
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${servers[i % 2].url}${COLLECTION_PATH}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': 'both-instances' },
            body: JSON.stringify({ db_connection_id: 'db-idem-http' }),
          }),
        ),
      );
      const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { session_id: string }).session_id));
      expect(responses.map((r) => r.status)).to.deep.equal(Array(20).fill(201));
      expect(new Set(ids).size, 'distinct sessions').to.equal(1);
      expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length).to.equal(19);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
}
