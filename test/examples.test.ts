import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { describeSessionStoreContract } from '../src/testing.js';
import { ensureBuilt } from './helpers/build.js';
import { startPrivatePostgres } from './helpers/postgres-server.js';
import { startPrivateRedis } from './helpers/redis-server.js';

// Each example runs as a user would run it, against the built package.
function runExample(file: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ['--import', 'tsx', file], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
}

describe('examples', function () {
  this.timeout(90_000);
  before(ensureBuilt);

  it('embedded-library.ts creates, runs, pauses and lists a session', () => {
    const output = runExample('examples/embedded-library.ts');
    expect(output).to.match(/created sess_\S+ active/);
    expect(output).to.contain('paused at version 3');
    expect(output).to.contain("second pause refused: Agent session");
    expect(output).to.contain('paused sessions for db123: 1');
  });

  it('koa-host-with-own-auth.ts serves the router to the host\'s users with their scopes and db connections', () => {
    const output = runExample('examples/koa-host-with-own-auth.ts');
    expect(output).to.contain('without the host session: 401');
    expect(output).to.match(/create: 201 \/api\/v1\/agent-sessions\/sess_\S+/);
    expect(output).to.contain('invalid create: 400 application/problem+json');
    expect(output).to.contain('alice creating in db2: 403');
    expect(output).to.contain('bob creating (read-only): 403');
    expect(output).to.contain("bob reading alice's db1 session: 404");
    expect(output).to.contain('sessions bob sees: 0');
    expect(output).to.contain('audit: alice create ok');
    expect(output).to.contain('audit: bob create forbidden');
  });

  it('server-on-redis.ts serves sessions from a (private) Redis and cleans up after itself', async () => {
    const redis = await startPrivateRedis();
    try {
      const output = runExample('examples/server-on-redis.ts', { REDIS_URL: redis.url });
      expect(output).to.contain('ready: 200');
      expect(output).to.contain('stored: Stored in Redis active');
      expect(output).to.contain('paused: paused');
      expect(output).to.contain('deleted: deleted');
    } finally {
      await redis.destroy();
    }
  });

  it('server-on-postgres.ts migrates and serves sessions from a (private) PostgreSQL', async () => {
    const postgres = await startPrivatePostgres();
    try {
      const output = runExample('examples/server-on-postgres.ts', { DATABASE_URL: postgres.url });
      expect(output).to.contain('migrations applied: 1');
      expect(output).to.contain('ready: 200');
      expect(output).to.contain('stored: Stored in PostgreSQL active');
      expect(output).to.contain('paused: paused');
      expect(output).to.contain('deleted: deleted');
    } finally {
      await postgres.destroy();
    }
  });

  it('inversify-custom-store.ts resolves the manager over the host store', () => {
    const output = runExample('examples/inversify-custom-store.ts');
    expect(output).to.contain('writes for warehouse: 3');
  });
});

// The custom store of example 4 is a store like any other: it must pass the contract.
describeSessionStoreContract('AuditedStore (examples/audited-store.ts)', {
  create: async (options) => new (await import('../examples/audited-store.js')).AuditedStore(options),
  createWithEventRetention: async (events) => new (await import('../examples/audited-store.js')).AuditedStore({ eventRetention: events }),
});
