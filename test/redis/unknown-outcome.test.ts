import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { AgentSessionManager, WriteOutcomeUnknownError } from '../../src/index.js';
import { COMMAND_TIMEOUT_MS } from '../../src/adapters/redis/connection.js';
import { startTestServer } from '../helpers/http-server.js';
import { useStandaloneRedis } from '../helpers/redis-env.js';

// CLIENT PAUSE WRITE holds the store's script in Redis past the store's command timeout, then
// runs it: the caller saw a failure, yet the write was applied. That caller must hear
// "outcome unknown", not "unavailable, try again" (a retry would create a second session).
const PAUSE_MS = COMMAND_TIMEOUT_MS * 3;

describe('RedisSessionStore writes that time out', function () {
  this.timeout(20_000);
  const redis = useStandaloneRedis();

  async function pauseWrites(): Promise<void> {
    await (redis.admin() as Redis).call('CLIENT', 'PAUSE', String(PAUSE_MS), 'WRITE');
  }

  async function whenWritesResume(): Promise<void> {
    await (redis.admin() as Redis).call('CLIENT', 'UNPAUSE');
  }

  it('report an unknown outcome naming the session a timed-out create may have made', async () => {
    const store = redis.newStore();
    const manager = new AgentSessionManager(store);
    try {
      await manager.list(); // connect first: the failure below must come from the write itself
      await pauseWrites();
      const error = await manager.create({ dbConnectionId: 'db-unknown' }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      await whenWritesResume();
      expect(error, 'create error').to.be.instanceOf(WriteOutcomeUnknownError);
      const id = /'(sess_[^']+)'/.exec((error as Error).message)?.[1];
      expect(id, `session id in "${(error as Error).message}"`).to.be.a('string');
      // The write was applied once Redis ran it: the session the message names exists.
      const page = await manager.list({ dbConnectionId: 'db-unknown' });
      expect(page.sessions.map((s) => s.id)).to.deep.equal([id]);
    } finally {
      await store.close();
    }
  });

  it('answer 503 write-outcome-unknown over HTTP, not "try again later"', async () => {
    const store = redis.newStore();
    const server = await startTestServer({ manager: new AgentSessionManager(store), leaseReaperIntervalMs: false });
    try {
      await server.manager.list();
      await pauseWrites();
      const response = await server.request('POST', '/api/v1/agent-sessions', { body: { db_connection_id: 'db-unknown' } });
      await whenWritesResume();
      const problem = await response.json();
      expect(response.status).to.equal(503);
      expect(problem.type).to.equal('urn:agent-sessions:problem:write-outcome-unknown');
      expect(problem.detail).to.match(/may or may not exist/);
      expect(problem.detail).not.to.match(/try again later/);
    } finally {
      await server.running.close();
      await store.close();
    }
  });
});
