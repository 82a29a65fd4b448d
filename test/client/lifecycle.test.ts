import { expect } from 'chai';
import { AgentSessionClient, IdempotencyKeyReusedApiError, InvalidInputApiError, SessionNotFoundApiError } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

describe('AgentSessionClient: idempotent create, copy, pauseAll and resumeAll', () => {
  let server: TestServer;
  let client: AgentSessionClient;

  beforeEach(async () => {
    server = await startTestServer();
    client = new AgentSessionClient({ baseUrl: server.running.url });
  });

  afterEach(async () => {
    await server.running.close();
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  it('retries a create with the same idempotency key without creating a second session', async () => {
    const first = await client.create({ db_connection_id: 'db-c' }, { idempotencyKey: 'client-key' });
    const again = await client.create({ db_connection_id: 'db-c' }, { idempotencyKey: 'client-key' });
    expect(again).to.deep.equal(first);
    expect((await client.list({ db_connection_id: 'db-c' })).total).to.equal(1);
  });

  it('rejects a reused key with another body as IdempotencyKeyReusedApiError (422)', async () => {
    await client.create({ db_connection_id: 'db-c' }, { idempotencyKey: 'client-key-2' });
    let error: unknown;
    await client.create({ db_connection_id: 'db-d' }, { idempotencyKey: 'client-key-2' }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(IdempotencyKeyReusedApiError);
    expect((error as IdempotencyKeyReusedApiError).status).to.equal(422);
  });

  it('copies a session, with and without overrides', async () => {
    const { session_id } = await client.create({ db_connection_id: 'db-c', title: 'src', mode: 'query' });
    const plain = await client.copy(session_id);
    const renamed = await client.copy(session_id, { title: 'copy' });
    expect((await client.get(plain.session_id)).session).to.include({ title: 'src', mode: 'query', status: 'active' });
    expect((await client.get(renamed.session_id)).session).to.include({ title: 'copy', mode: 'query' });
    let error: unknown;
    await client.copy('sess_missing').catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(SessionNotFoundApiError);
  });

  it('pauses and resumes every session of a db connection', async () => {
    for (let i = 0; i < 3; i++) await client.create({ db_connection_id: 'db-c' });
    expect(await client.pauseAll({ db_connection_id: 'db-c' })).to.deep.equal({ paused: 3 });
    expect(await client.pauseAll({ db_connection_id: 'db-c', status: 'running' })).to.deep.equal({ paused: 0 });
    expect(await client.resumeAll({ db_connection_id: 'db-c' })).to.deep.equal({ resumed: 3 });
    let error: unknown;
    await client.pauseAll({} as never).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(InvalidInputApiError);
  });
});
