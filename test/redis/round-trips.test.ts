import { expect } from 'chai';
import { Redis } from 'ioredis';
import { AgentSessionManager, type AgentSession } from '../../src/index.js';
import type { RedisSessionStore } from '../../src/redis.js';
import { useStandaloneRedis } from '../helpers/redis-env.js';

// Counts what the store sends with MONITOR rather than INFO commandstats: commandstats also counts
// the commands a Lua script runs inside Redis, so it cannot tell one EVALSHA from many requests.
// MONITOR names the source of each command ('lua' for those run by a script).

describe('RedisSessionStore round trips', function () {
  const redis = useStandaloneRedis();
  let store: RedisSessionStore;
  let manager: AgentSessionManager;
  let monitor: Awaited<ReturnType<Redis['monitor']>>;
  let seen: string[][] = [];
  let marker = 0;

  before(async () => {
    store = redis.newStore();
    manager = new AgentSessionManager(store);
    // Load every script once, so a call below is not an EVALSHA plus its one-time EVAL fallback.
    const warm = await manager.create({ dbConnectionId: 'warm' });
    await manager.pause(warm.id);
    await manager.list();
    await manager.resume(warm.id);
    await store.startRun(warm.id, { token: 'warm', leaseMs: 60_000, now: Date.now() });
    await store.renewRun(warm.id, 'warm', 60_000);
    await store.expiredRuns(1);
    await store.endRun(warm.id, { token: 'warm', status: 'active', now: Date.now() });
    await manager.delete(warm.id);
    // monitor() opens a connection of its own (a duplicate), closed in after().
    monitor = await (redis.admin() as Redis).monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(args);
    });
  });

  // The server (and every key on it) goes in the env's own `after`, which runs before this one.
  after(async () => {
    monitor?.disconnect();
    await store?.close();
  });

  /** The commands Redis received from clients while `call` ran (MONITOR's own feed is ordered). */
  async function commandsOf(call: () => Promise<unknown>): Promise<string[]> {
    const admin = redis.admin() as Redis;
    const before = `marker-${++marker}`;
    const after = `marker-${++marker}`;
    await admin.echo(before);
    await call();
    await admin.echo(after);
    for (let i = 0; i < 100 && !seen.some((args) => args[1] === after); i++) await new Promise((r) => setTimeout(r, 10));
    const start = seen.findIndex((args) => args[1] === before);
    const end = seen.findIndex((args) => args[1] === after);
    const commands = seen.slice(start + 1, end).map((args) => args[0].toLowerCase());
    seen = [];
    return commands;
  }

  let session: AgentSession;
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['create', async () => (session = await manager.create({ dbConnectionId: 'db-rt', metadata: { a: 1 } }))],
    ['get', () => manager.get(session.id)],
    ['list', () => manager.list()],
    ['list by db', () => manager.list({ dbConnectionId: 'db-rt' })],
    ['list by status', () => manager.list({ status: 'active', limit: 5, offset: 1 })],
    ['list by db and status', () => manager.list({ dbConnectionId: 'db-rt', status: 'active' })],
    ['update', () => manager.update(session.id, { title: 't', status: 'running', metadata: { b: 2 } })],
    ['pause', () => manager.pause(session.id)],
    ['resume', () => manager.resume(session.id)],
    ['delete', () => manager.delete(session.id)],
  ];

  let run: AgentSession;
  const runCalls: Array<[string, () => Promise<unknown>]> = [
    ['create (for a run)', async () => (run = await manager.create({ dbConnectionId: 'db-rt' }))],
    ['startRun', () => store.startRun(run.id, { token: 't', leaseMs: 60_000, now: Date.now() })],
    ['renewRun', () => store.renewRun(run.id, 't', 90_000)],
    ['expiredRuns', () => store.expiredRuns(100)],
    ['endRun', () => store.endRun(run.id, { token: 't', status: 'completed', now: Date.now() })],
  ];

  for (const [name, call] of [...calls, ...runCalls]) {
    it(`sends exactly one command for ${name}`, async () => {
      const commands = await commandsOf(call);
      expect(commands, `commands Redis received for ${name}`).to.have.length(1);
      expect(commands[0]).to.be.oneOf(['evalsha', 'hgetall']);
    });
  }
});
