import { expect } from 'chai';
import { AgentSessionClient, InvalidInputApiError } from '../../src/client/index.js';
import { createAgentSessionManager, MemorySessionStore } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

describe('AgentSessionClient search, searchAll and count', () => {
  let server: TestServer;
  let client: AgentSessionClient;

  beforeEach(async () => {
    const store = new MemorySessionStore({ indexedMetadataKeys: ['user_id'] });
    server = await startTestServer({ manager: createAgentSessionManager({ store }) });
    client = new AgentSessionClient({ baseUrl: server.running.url });
  });

  afterEach(async () => {
    await server.running.close();
  });

  it('searches a page, walks every page with searchAll, and counts', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await client.create({ db_connection_id: 'db1', metadata: { user_id: i % 2 === 0 ? 'even' : 'odd' } })).session_id);
    const page = await client.search({ metadata: { user_id: 'even' }, limit: 2, sort_order: 'asc' });
    expect(page.total).to.equal(4);
    expect(page.sessions).to.have.length(2);
    expect(page.next_cursor).to.be.a('string');

    const walked: string[] = [];
    for await (const session of client.searchAll({ metadata: { user_id: 'even' }, limit: 3, select: ['status'] })) {
      expect(session).to.have.all.keys('id', 'status');
      walked.push(session.id);
    }
    expect(new Set(walked)).to.deep.equal(new Set(ids.filter((_, i) => i % 2 === 0)));
    expect(walked).to.have.length(4);

    expect(await client.count({ metadata: { user_id: 'odd' } })).to.equal(3);
    expect(await client.count()).to.equal(7);
  });

  it('rejects a filter on a metadata key that is not indexed with InvalidInputApiError naming it', async () => {
    const error = await client.count({ metadata: { team: 'x' } }).then(
      () => expect.fail('expected a rejection'),
      (error: unknown) => error,
    );
    expect(error).to.be.instanceOf(InvalidInputApiError);
    expect((error as InvalidInputApiError).problem?.errors?.map((e) => e.path)).to.deep.equal(['metadata.team']);
  });
});
