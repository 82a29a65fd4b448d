import { expect } from 'chai';
import {
  createAgentSessionManager,
  ForbiddenError,
  SessionNotFoundError,
  ValidationError,
  type AgentSessionManager,
  type AuditEntry,
  type Principal,
} from '../../src/index.js';

const reader: Principal = { name: 'reader', scopes: ['sessions:read'] };
const writerA: Principal = { name: 'writer-a', scopes: ['sessions:write'], dbConnectionIds: ['db-a'] };

async function failure(call: Promise<unknown>): Promise<Error> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return error;
}

describe('manager.scoped(principal)', () => {
  let manager: AgentSessionManager;
  beforeEach(() => {
    manager = createAgentSessionManager();
  });

  it('leaves the manager itself unscoped', async () => {
    const view = manager.scoped(writerA);
    await manager.create({ dbConnectionId: 'db-b' });
    expect((await manager.list()).total).to.equal(1);
    expect((await view.list()).total).to.equal(0);
  });

  it('refuses a call outside the scopes with ForbiddenError naming the scope', async () => {
    const error = await failure(manager.scoped(reader).create({ dbConnectionId: 'db-a' }));
    expect(error).to.be.instanceOf(ForbiddenError);
    expect(error.message).to.contain('sessions:write');
    expect(await manager.list()).to.include({ total: 0 });
  });

  it('lets write include read and admin include write', async () => {
    const admin = manager.scoped({ name: 'admin', scopes: ['sessions:admin'] });
    const { id } = await admin.create({ dbConnectionId: 'db-x' });
    expect((await manager.scoped(writerA).list({ dbConnectionId: 'db-a' })).total).to.equal(0);
    expect((await admin.get(id)).id).to.equal(id);
  });

  it('refuses a create for another db with ForbiddenError, and creates for its own', async () => {
    const view = manager.scoped(writerA);
    expect(await failure(view.create({ dbConnectionId: 'db-b' }))).to.be.instanceOf(ForbiddenError);
    expect((await view.create({ dbConnectionId: 'db-a' })).dbConnectionId).to.equal('db-a');
  });

  it("answers every call on another db's session exactly like an unknown id", async () => {
    const view = manager.scoped(writerA);
    const other = await manager.create({ dbConnectionId: 'db-b' });
    const unknown = 'sess_AAAAAAAAAAAAAAAAAAAAAA';
    const calls = (id: string) => [
      view.get(id),
      view.update(id, { title: 'x' }),
      view.update(id, { title: 'x' }, { ifVersion: 7 }),
      view.pause(id),
      view.resume(id),
      view.delete(id),
    ];
    const forOther = await Promise.all(calls(other.id).map(failure));
    const forUnknown = await Promise.all(calls(unknown).map(failure));
    for (const [index, error] of forOther.entries()) {
      expect(error, `call ${index}`).to.be.instanceOf(SessionNotFoundError);
      expect(error.message.replace(other.id, 'ID')).to.equal(forUnknown[index].message.replace(unknown, 'ID'));
    }
    expect(await manager.get(other.id)).to.deep.equal(other);
  });

  it('validates input before looking the session up, as for an unknown id', async () => {
    const view = manager.scoped(writerA);
    const other = await manager.create({ dbConnectionId: 'db-b' });
    const error = await failure(view.update(other.id, { status: 'sleeping' as never }));
    expect(error).to.be.instanceOf(ValidationError);
    expect(await failure(view.delete(other.id, { ifVersion: 0 }))).to.be.instanceOf(ValidationError);
  });

  it('answers a list filtered to another db with an empty page and total 0', async () => {
    await manager.create({ dbConnectionId: 'db-b' });
    expect(await manager.scoped(writerA).list({ dbConnectionId: 'db-b', limit: 5 })).to.deep.equal({ sessions: [], total: 0, limit: 5, offset: 0 });
    expect(await failure(manager.scoped(writerA).list({ limit: 0 }))).to.be.instanceOf(ValidationError);
  });

  it('counts and pages exactly past one store read, across several dbs and prefixes', async () => {
    for (let i = 0; i < 1200; i++) await manager.create({ dbConnectionId: ['db-a', 'db-b', 'team-x', 'zz'][i % 4] });
    const all = [...(await manager.list({ limit: 1000 })).sessions, ...(await manager.list({ limit: 1000, offset: 1000 })).sessions];
    const expectedIds = (dbs: (db: string) => boolean, offset: number) =>
      all
        .filter((s) => dbs(s.dbConnectionId))
        .slice(offset, offset + 5)
        .map((s) => s.id);
    const exact = manager.scoped({ name: 'ab', scopes: ['sessions:read'], dbConnectionIds: ['db-a', 'db-b'] });
    const page = await exact.list({ limit: 5, offset: 590 });
    expect(page.total).to.equal(600);
    expect(page.sessions.map((s) => s.id)).to.deep.equal(expectedIds((db) => db === 'db-a' || db === 'db-b', 590));
    const prefixed = manager.scoped({ name: 'team', scopes: ['sessions:read'], dbConnectionIds: ['team-*', 'db-a'] });
    const prefixedPage = await prefixed.list({ limit: 5, offset: 597 });
    expect(prefixedPage.total).to.equal(600);
    expect(prefixedPage.sessions.map((s) => s.id)).to.deep.equal(expectedIds((db) => db === 'team-x' || db === 'db-a', 597));
  });

  it('audits every write once with the principal, action, session id and outcome', async () => {
    const entries: AuditEntry[] = [];
    const view = manager.scoped(writerA, { audit: (entry) => entries.push(entry) });
    const own = await view.create({ dbConnectionId: 'db-a' });
    await view.pause(own.id);
    await view.resume(own.id);
    await view.update(own.id, { title: 't' });
    await failure(view.pause('sess_AAAAAAAAAAAAAAAAAAAAAA'));
    await failure(view.create({ dbConnectionId: 'db-b' }));
    await view.delete(own.id);
    await view.list();
    await view.get(own.id).catch(() => {});
    expect(entries).to.deep.equal([
      { principal: 'writer-a', action: 'create', sessionId: own.id, outcome: 'ok' },
      { principal: 'writer-a', action: 'pause', sessionId: own.id, outcome: 'ok' },
      { principal: 'writer-a', action: 'resume', sessionId: own.id, outcome: 'ok' },
      { principal: 'writer-a', action: 'update', sessionId: own.id, outcome: 'ok' },
      { principal: 'writer-a', action: 'pause', sessionId: 'sess_AAAAAAAAAAAAAAAAAAAAAA', outcome: 'session_not_found' },
      { principal: 'writer-a', action: 'create', sessionId: null, outcome: 'forbidden' },
      { principal: 'writer-a', action: 'delete', sessionId: own.id, outcome: 'ok' },
    ]);
  });

  it("streams only the principal's sessions, and refuses streams without read scope", async () => {
    const heard: string[] = [];
    const view = manager.scoped({ name: 'team', scopes: ['sessions:read'], dbConnectionIds: ['team-*'] });
    const unsubscribe = await view.events.subscribe((event) => heard.push(event.session.dbConnectionId));
    await manager.create({ dbConnectionId: 'db-a' });
    await manager.create({ dbConnectionId: 'team-x' });
    unsubscribe();
    expect(heard).to.deep.equal(['team-x']);
    expect(manager.events.listenerCount()).to.equal(0);
    const none = manager.scoped({ name: 'nobody', scopes: [] as never });
    expect(await failure(none.events.subscribe(() => {}))).to.be.instanceOf(ForbiddenError);
  });

  it("runs tasks only on sessions the principal sees, with write scope, audited as 'run'", async () => {
    const entries: AuditEntry[] = [];
    const view = manager.scoped(writerA, { audit: (entry) => entries.push(entry) });
    const own = await manager.create({ dbConnectionId: 'db-a' });
    const other = await manager.create({ dbConnectionId: 'db-b' });
    const result = await view.runTask(own.id, () => ({ done: true }));
    expect(result.outcome).to.equal('finished');
    expect((await manager.get(own.id)).status).to.equal('completed');
    expect(await failure(view.runTask(other.id, () => {}))).to.be.instanceOf(SessionNotFoundError);
    expect(await failure(manager.scoped(reader).runTask(own.id, () => {}))).to.be.instanceOf(ForbiddenError);
    expect((await manager.get(other.id)).status).to.equal('active');
    expect(entries.map((e) => `${e.action} ${e.outcome}`)).to.deep.equal(['run ok', 'run session_not_found']);
  });

  it('copies only visible sessions, into the same db, with write scope; audited once under the copy', async () => {
    const entries: AuditEntry[] = [];
    const view = manager.scoped(writerA, { audit: (entry) => entries.push(entry) });
    const own = await manager.create({ dbConnectionId: 'db-a', title: 'mine' });
    const other = await manager.create({ dbConnectionId: 'db-b' });
    const copy = await view.copy(own.id, { title: 'copy' });
    expect(copy).to.include({ dbConnectionId: 'db-a', title: 'copy', status: 'active' });
    expect(await failure(view.copy(other.id))).to.be.instanceOf(SessionNotFoundError);
    expect(await failure(view.copy(other.id, { title: 5 as never }))).to.be.instanceOf(ValidationError);
    expect(await failure(manager.scoped(reader).copy(own.id))).to.be.instanceOf(ForbiddenError);
    expect(entries.map((e) => `${e.action} ${e.sessionId} ${e.outcome}`)).to.deep.equal([
      `copy ${copy.id} ok`,
      `copy ${other.id} session_not_found`,
      `copy ${other.id} invalid_input`,
    ]);
  });

  it('pauses and resumes all of a db only with admin scope and that db; a bad filter is a ValidationError first', async () => {
    const adminA = manager.scoped({ name: 'admin-a', scopes: ['sessions:admin'], dbConnectionIds: ['db-a'] });
    await manager.create({ dbConnectionId: 'db-a' });
    await manager.create({ dbConnectionId: 'db-b' });
    expect(await failure(manager.scoped(writerA).pauseAll({ dbConnectionId: 'db-a' }))).to.be.instanceOf(ForbiddenError);
    expect(await failure(adminA.pauseAll({ dbConnectionId: 'db-b' }))).to.be.instanceOf(ForbiddenError);
    expect(await failure(adminA.pauseAll({ dbConnectionId: '' }))).to.be.instanceOf(ValidationError);
    expect(await adminA.pauseAll({ dbConnectionId: 'db-a' })).to.equal(1);
    expect((await manager.list({ status: 'paused' })).sessions.map((s) => s.dbConnectionId)).to.deep.equal(['db-a']);
    expect(await failure(adminA.resumeAll({ dbConnectionId: 'db-b' }))).to.be.instanceOf(ForbiddenError);
    expect(await adminA.resumeAll({ dbConnectionId: 'db-a' })).to.equal(1);
  });

  it('scopes idempotency keys to the principal', async () => {
    const first = await manager.scoped(writerA).createWithOutcome({ dbConnectionId: 'db-a' }, { idempotencyKey: 'k-1' });
    const again = await manager.scoped({ ...writerA }).createWithOutcome({ dbConnectionId: 'db-a' }, { idempotencyKey: 'k-1' });
    expect(again).to.deep.equal({ session: first.session, replayed: true });
    const someoneElse = await manager.scoped({ ...writerA, name: 'writer-b' }).create({ dbConnectionId: 'db-a' }, { idempotencyKey: 'k-1' });
    expect(someoneElse.id).not.to.equal(first.session.id);
    // The unscoped manager has a scope of its own, too.
    expect((await manager.create({ dbConnectionId: 'db-a' }, { idempotencyKey: 'k-1' })).id).not.to.equal(first.session.id);
  });
});
