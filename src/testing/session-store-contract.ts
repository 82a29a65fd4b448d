import assert from 'node:assert/strict';
import { AgentSessionManager } from '../domain/manager.js';
import type { AgentSession, SessionStatus } from '../domain/session.js';
import { SESSION_STATUSES } from '../domain/session.js';
import { newSessionId } from '../domain/session-id.js';
import type { SessionStore } from '../domain/session-store.js';
import { canTransition } from '../domain/state-machine.js';
import { InvalidTransitionError, SessionNotFoundError, VersionConflictError } from '../domain/errors.js';
import { describeEventContract } from './events-contract.js';
import { describeRunContract } from './runs-contract.js';

// The definition of a store: every adapter runs this suite unchanged. It uses mocha-style
// globals (describe / it / beforeEach / afterEach) and node:assert, so a host can run it
// against its own adapter with mocha (or any runner that offers those globals).

/** How the suite gets a fresh, empty store for each test and gets rid of it afterwards. */
export interface SessionStoreHarness {
  create(): Promise<SessionStore> | SessionStore;
  /** Defaults to `store.close()`. */
  dispose?(store: SessionStore): Promise<void>;
}

const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** A valid session to insert directly; `createdAtOffset` is in ms after a fixed base time. */
export function sampleSession(overrides: Partial<AgentSession> & { createdAtOffset?: number } = {}): AgentSession {
  const { createdAtOffset = 0, ...rest } = overrides;
  const at = new Date(BASE_TIME + createdAtOffset).toISOString();
  return {
    id: newSessionId(),
    dbConnectionId: 'db-1',
    status: 'active',
    mode: 'full_autonomy',
    recursionLimit: 100,
    title: null,
    createdAt: at,
    updatedAt: at,
    metadata: {},
    version: 1,
    ...rest,
  };
}

function newestFirst(a: AgentSession, b: AgentSession): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const ids = (sessions: readonly AgentSession[]): string[] => sessions.map((s) => s.id);

/** Registers the whole store contract as a mocha `describe` block. */
export function describeSessionStoreContract(name: string, harness: SessionStoreHarness): void {
  describe(`SessionStore contract: ${name}`, function () {
    this.timeout(20_000);
    let store: SessionStore;
    let manager: AgentSessionManager;

    beforeEach(async () => {
      store = await harness.create();
      manager = new AgentSessionManager(store);
    });

    afterEach(async () => {
      if (harness.dispose) await harness.dispose(store);
      else await store.close?.();
    });

    async function insertAll(sessions: AgentSession[]): Promise<void> {
      for (const session of sessions) assert.equal(await store.insert(session), true, `insert ${session.id}`);
    }

    describe('insert and get', () => {
      it('returns exactly what was inserted', async () => {
        const session = sampleSession({ title: 'Sales', metadata: { nested: { list: [1, 'two', null, true] } } });
        await insertAll([session]);
        assert.deepEqual(await store.get(session.id), session);
      });

      it('refuses a second insert with the same id and keeps the first', async () => {
        const first = sampleSession({ title: 'first' });
        await insertAll([first]);
        assert.equal(await store.insert({ ...first, title: 'second' }), false);
        assert.deepEqual(await store.get(first.id), first);
        assert.equal((await store.list({ limit: 10, offset: 0 })).total, 1);
      });

      it('answers undefined for an unknown id', async () => {
        assert.equal(await store.get(newSessionId()), undefined);
      });

      it('is not changed by callers mutating what it returned', async () => {
        const session = sampleSession({ metadata: { a: { b: 1 } } });
        await insertAll([session]);
        const copy = (await store.get(session.id)) as AgentSession;
        try {
          (copy.metadata.a as Record<string, unknown>).b = 2;
          (copy as { title: string | null }).title = 'changed';
        } catch {
          // A store may hand out frozen objects; refusing the change is just as good.
        }
        assert.deepEqual(await store.get(session.id), session);
      });
    });

    describe('list', () => {
      it('orders newest createdAt first, ties broken by id descending', async () => {
        const sessions = [
          sampleSession({ createdAtOffset: 10 }),
          sampleSession({ createdAtOffset: 30 }),
          sampleSession({ createdAtOffset: 20, id: 'sess_tie_a' }),
          sampleSession({ createdAtOffset: 20, id: 'sess_tie_c' }),
          sampleSession({ createdAtOffset: 20, id: 'sess_tie_b' }),
          sampleSession({ createdAtOffset: 0 }),
        ];
        await insertAll(sessions);
        const page = await store.list({ limit: 100, offset: 0 });
        assert.deepEqual(ids(page.sessions), ids([...sessions].sort(newestFirst)));
        assert.equal(page.total, 6);
      });

      it('filters by db connection, by status and by both, with exact totals', async () => {
        const sessions: AgentSession[] = [];
        for (let i = 0; i < 24; i++) {
          sessions.push(
            sampleSession({
              createdAtOffset: i,
              dbConnectionId: `db-${i % 3}`,
              status: SESSION_STATUSES[i % SESSION_STATUSES.length],
            }),
          );
        }
        await insertAll(sessions);
        const expect = (keep: (s: AgentSession) => boolean) => ids(sessions.filter(keep).sort(newestFirst));
        const cases: Array<{ dbConnectionId?: string; status?: SessionStatus }> = [
          {},
          { dbConnectionId: 'db-1' },
          { status: 'paused' },
          { dbConnectionId: 'db-2', status: 'active' },
          { dbConnectionId: 'db-0', status: 'completed' },
          { dbConnectionId: 'db-none' },
        ];
        for (const filter of cases) {
          const page = await store.list({ ...filter, limit: 1000, offset: 0 });
          const expected = expect(
            (s) =>
              (!filter.dbConnectionId || s.dbConnectionId === filter.dbConnectionId) &&
              (!filter.status || s.status === filter.status),
          );
          assert.deepEqual(ids(page.sessions), expected, `list ${JSON.stringify(filter)}`);
          assert.equal(page.total, expected.length, `total of ${JSON.stringify(filter)}`);
        }
      });

      it('pages without gaps or repeats, and limit 1 returns exactly one', async () => {
        const sessions = Array.from({ length: 17 }, (_, i) => sampleSession({ createdAtOffset: i % 5 }));
        await insertAll(sessions);
        const seen: string[] = [];
        for (let offset = 0; offset < 17; offset += 4) {
          const page = await store.list({ limit: 4, offset });
          assert.equal(page.total, 17);
          seen.push(...ids(page.sessions));
        }
        assert.deepEqual(seen, ids([...sessions].sort(newestFirst)));
        const one = await store.list({ limit: 1, offset: 0 });
        assert.equal(one.sessions.length, 1);
        assert.equal(one.total, 17);
      });

      it('returns an empty page with the exact total for an offset past the end', async () => {
        await insertAll([sampleSession(), sampleSession()]);
        for (const offset of [2, 3, 1_000_000]) {
          const page = await store.list({ limit: 10, offset });
          assert.deepEqual(page.sessions, [], `offset ${offset}`);
          assert.equal(page.total, 2);
        }
      });

      it('is empty for an empty store', async () => {
        assert.deepEqual(await store.list({ limit: 10, offset: 0, status: 'active' }), { sessions: [], total: 0 });
      });

      it('follows status changes and deletes in every index', async () => {
        const [a, b, c] = [0, 1, 2].map((i) => sampleSession({ createdAtOffset: i, dbConnectionId: 'db-x' }));
        await insertAll([a, b, c]);
        await store.update(b.id, { status: 'paused' }, { now: BASE_TIME + 100 });
        await store.delete(c.id);
        const active = await store.list({ dbConnectionId: 'db-x', status: 'active', limit: 10, offset: 0 });
        const paused = await store.list({ status: 'paused', limit: 10, offset: 0 });
        const all = await store.list({ dbConnectionId: 'db-x', limit: 10, offset: 0 });
        assert.deepEqual(ids(active.sessions), [a.id]);
        assert.deepEqual(ids(paused.sessions), [b.id]);
        assert.equal(paused.sessions[0].status, 'paused');
        assert.deepEqual(ids(all.sessions), [b.id, a.id]);
        assert.equal(all.total, 2);
      });
    });

    describe('update', () => {
      it('applies title, status and metadata together and bumps version and updatedAt', async () => {
        const session = sampleSession({ title: 'old', metadata: { a: 1 } });
        await insertAll([session]);
        const now = BASE_TIME + 5_000;
        const result = await store.update(session.id, { title: 'new', status: 'running', metadata: { b: 2 } }, { now });
        assert.equal(result.outcome, 'updated');
        const expected = {
          ...session,
          title: 'new',
          status: 'running' as const,
          metadata: { b: 2 },
          version: 2,
          updatedAt: new Date(now).toISOString(),
        };
        assert.deepEqual(result.outcome === 'updated' && result.session, expected);
        assert.deepEqual(result.outcome === 'updated' && result.previous, session);
        assert.deepEqual(await store.get(session.id), expected);
      });

      it('clears the title with null and replaces metadata as a whole', async () => {
        const session = sampleSession({ title: 'old', metadata: { keep: false, gone: 1 } });
        await insertAll([session]);
        await store.update(session.id, { title: null, metadata: { keep: true } }, { now: BASE_TIME + 1 });
        const stored = (await store.get(session.id)) as AgentSession;
        assert.equal(stored.title, null);
        assert.deepEqual(stored.metadata, { keep: true });
      });

      it('reports unchanged, keeping version and updatedAt, when nothing differs', async () => {
        const session = sampleSession({ title: 't', metadata: { a: [1, 2] } });
        await insertAll([session]);
        for (const patch of [{}, { title: 't' }, { status: 'active' as const }, { metadata: { a: [1, 2] } }]) {
          const result = await store.update(session.id, patch, { now: BASE_TIME + 60_000 });
          assert.equal(result.outcome, 'unchanged', `patch ${JSON.stringify(patch)}`);
          assert.deepEqual(result.outcome === 'unchanged' && result.session, session);
        }
        assert.deepEqual(await store.get(session.id), session);
      });

      it('moves updatedAt forward even when the clock is behind, and never changes createdAt', async () => {
        const session = sampleSession();
        await insertAll([session]);
        await store.update(session.id, { title: 'one' }, { now: BASE_TIME - 10_000 });
        await store.update(session.id, { title: 'two' }, { now: BASE_TIME - 10_000 });
        const stored = (await store.get(session.id)) as AgentSession;
        assert.equal(stored.updatedAt, new Date(BASE_TIME + 2).toISOString());
        assert.equal(stored.createdAt, session.createdAt);
        assert.equal(stored.version, 3);
      });

      it('reports not_found for an unknown id', async () => {
        assert.deepEqual(await store.update(newSessionId(), { title: 'x' }, { now: BASE_TIME }), { outcome: 'not_found' });
      });

      it('refuses a stale expectedVersion and changes nothing', async () => {
        const session = sampleSession();
        await insertAll([session]);
        await store.update(session.id, { title: 'v2' }, { now: BASE_TIME + 1 });
        const result = await store.update(session.id, { title: 'late' }, { expectedVersion: 1, now: BASE_TIME + 2 });
        assert.equal(result.outcome, 'version_conflict');
        assert.equal(result.outcome === 'version_conflict' && result.session.version, 2);
        assert.equal((await store.get(session.id))?.title, 'v2');
        const fresh = await store.update(session.id, { title: 'v3' }, { expectedVersion: 2, now: BASE_TIME + 3 });
        assert.equal(fresh.outcome, 'updated');
      });

      it('refuses a status change from a status outside allowedFromStatuses and changes nothing', async () => {
        const session = sampleSession({ status: 'completed' });
        await insertAll([session]);
        const result = await store.update(
          session.id,
          { status: 'paused', title: 'x' },
          { allowedFromStatuses: ['active', 'running'], now: BASE_TIME + 1 },
        );
        assert.equal(result.outcome, 'status_conflict');
        assert.deepEqual(await store.get(session.id), session);
        assert.equal((await store.list({ status: 'paused', limit: 10, offset: 0 })).total, 0);
      });
    });

    describe('delete', () => {
      it('removes the session from get and from every listing; a second delete is not_found', async () => {
        const session = sampleSession({ status: 'paused' });
        await insertAll([session]);
        assert.deepEqual(await store.delete(session.id), { outcome: 'deleted', session });
        assert.equal(await store.get(session.id), undefined);
        for (const filter of [{}, { status: 'paused' as const }, { dbConnectionId: 'db-1' }]) {
          assert.equal((await store.list({ ...filter, limit: 10, offset: 0 })).total, 0);
        }
        assert.deepEqual(await store.delete(session.id), { outcome: 'not_found' });
      });

      it('refuses a stale expectedVersion and keeps the session', async () => {
        const session = sampleSession();
        await insertAll([session]);
        const result = await store.delete(session.id, { expectedVersion: 7 });
        assert.equal(result.outcome, 'version_conflict');
        assert.deepEqual(await store.get(session.id), session);
      });
    });

    describe('state machine through the manager', () => {
      async function sessionIn(status: SessionStatus): Promise<AgentSession> {
        const session = await manager.create({ dbConnectionId: 'db-sm' });
        return status === 'active' ? session : manager.update(session.id, { status });
      }

      for (const from of SESSION_STATUSES) {
        for (const to of SESSION_STATUSES) {
          if (from === to) continue;
          const allowed = canTransition(from, to);
          it(`${allowed ? 'allows' : 'refuses'} ${from} -> ${to}`, async () => {
            const session = await sessionIn(from);
            if (allowed) {
              const moved = await manager.update(session.id, { status: to });
              assert.equal(moved.status, to);
              assert.equal(moved.version, session.version + 1);
              assert.equal((await manager.list({ status: to, dbConnectionId: 'db-sm' })).total, 1);
            } else {
              await assert.rejects(manager.update(session.id, { status: to }), InvalidTransitionError);
              assert.deepEqual(await manager.get(session.id), session);
            }
          });
        }
      }

      for (const status of SESSION_STATUSES) {
        it(`treats PATCH to the same status (${status}) as a no-op`, async () => {
          const session = await sessionIn(status);
          assert.deepEqual(await manager.update(session.id, { status }), session);
        });

        const pausable = status === 'active' || status === 'running';
        it(`${pausable ? 'pauses' : 'refuses to pause'} a session that is ${status}`, async () => {
          const session = await sessionIn(status);
          if (pausable) assert.equal((await manager.pause(session.id)).status, 'paused');
          else await assert.rejects(manager.pause(session.id), InvalidTransitionError);
        });

        it(`${status === 'paused' ? 'resumes' : 'refuses to resume'} a session that is ${status}`, async () => {
          const session = await sessionIn(status);
          if (status === 'paused') assert.equal((await manager.resume(session.id)).status, 'active');
          else await assert.rejects(manager.resume(session.id), InvalidTransitionError);
        });
      }

      it('still changes title and metadata of a terminal session', async () => {
        const session = await sessionIn('failed');
        const updated = await manager.update(session.id, { title: 'post-mortem', metadata: { why: 'oom' } });
        assert.equal(updated.status, 'failed');
        assert.equal(updated.title, 'post-mortem');
      });
    });

    describe('concurrency', () => {
      const N = 24;

      it('lets exactly one of many concurrent pauses win', async () => {
        const session = await manager.create({ dbConnectionId: 'db-race' });
        const results = await Promise.allSettled(Array.from({ length: N }, () => manager.pause(session.id)));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof InvalidTransitionError);
        assert.equal((await manager.get(session.id)).version, 2);
      });

      it('lets exactly one of two conflicting terminal transitions win, many times over', async () => {
        const session = await manager.create({ dbConnectionId: 'db-race' });
        const targets: SessionStatus[] = Array.from({ length: N }, (_, i) => (i % 2 ? 'completed' : 'failed'));
        const results = await Promise.allSettled(targets.map((status) => manager.update(session.id, { status })));
        // Once one side has won, the same target again is a no-op success; the other side loses.
        const winners = new Set(results.flatMap((r, i) => (r.status === 'fulfilled' ? [targets[i]] : [])));
        assert.equal(winners.size, 1);
        const [winner] = winners;
        for (const [i, r] of results.entries()) {
          if (targets[i] !== winner) assert.ok(r.status === 'rejected' && r.reason instanceof InvalidTransitionError);
        }
        const final = await manager.get(session.id);
        assert.equal(final.status, winner);
        assert.equal(final.version, 2);
        assert.equal((await manager.list({ dbConnectionId: 'db-race', status: winner })).total, 1);
      });

      it('lets exactly one of many writes based on the same version win', async () => {
        const session = await manager.create({ dbConnectionId: 'db-race' });
        const results = await Promise.allSettled(
          Array.from({ length: N }, (_, i) => manager.update(session.id, { metadata: { i } }, { ifVersion: 1 })),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof VersionConflictError);
      });

      it('loses no update among many concurrent unconditional writes', async () => {
        const session = await manager.create({ dbConnectionId: 'db-race' });
        const written = await Promise.all(
          Array.from({ length: N }, (_, i) => manager.update(session.id, { metadata: { i } })),
        );
        assert.deepEqual(
          written.map((s) => s.version).sort((a, b) => a - b),
          Array.from({ length: N }, (_, i) => i + 2),
        );
        const final = await manager.get(session.id);
        assert.equal(final.version, N + 1);
        assert.deepEqual(final.metadata, (written.find((s) => s.version === N + 1) as AgentSession).metadata);
      });

      it('lets exactly one of many concurrent deletes win', async () => {
        const session = await manager.create({ dbConnectionId: 'db-race' });
        const results = await Promise.allSettled(Array.from({ length: N }, () => manager.delete(session.id)));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof SessionNotFoundError);
        assert.equal((await manager.list({ dbConnectionId: 'db-race' })).total, 0);
      });
    });

    // Optional capabilities: skipped for a store without them.
    describeEventContract(() => ({ store, manager }));
    describeRunContract(() => ({ store, manager }));
  });
}
