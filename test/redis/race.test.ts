import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { AgentSessionManager, canTransition, SESSION_STATUSES, type AgentSession } from '../../src/index.js';
import type { RedisSessionStore } from '../../src/redis.js';
import type { Win } from '../helpers/recording-store.js';
import { searchEntriesOf } from '../../src/domain/search-index.js';
import { keysOf, useStandaloneRedis } from '../helpers/redis-env.js';

const WORKERS = 4;
const OPS_PER_WORKER = 150;
const SESSIONS = 5;
const WORKER_PATH = fileURLToPath(new URL('./race-worker.ts', import.meta.url));

function runWorker(url: string, prefix: string, worker: number, ids: string[]): Promise<Win[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_PATH, url, prefix, `w${worker}`, String(OPS_PER_WORKER), ids.join(',')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`race worker ${worker} exited with ${code}:\n${stderr}`));
      else resolve(stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Win));
    });
  });
}

describe('RedisSessionStore under a multi-process race', function () {
  this.timeout(60_000);
  const redis = useStandaloneRedis();
  let store: RedisSessionStore;
  let manager: AgentSessionManager;
  let sessions: AgentSession[];
  let wins: Win[];

  before(async () => {
    store = redis.newStore();
    manager = new AgentSessionManager(store);
    sessions = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await manager.create({ dbConnectionId: `db-${i % 2}` }));
    const url = `redis://127.0.0.1:${(redis.admin() as Redis).options.port}`;
    const ids = sessions.map((s) => s.id);
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, worker) => runWorker(url, redis.prefixOf(store), worker, ids)),
    );
    wins = results.flat();
  });

  after(() => store?.close());

  it('gives every session a gapless chain of wins, each a legal step from the one before', () => {
    expect(wins.length, 'wins across all workers').to.be.greaterThan(SESSIONS * 10);
    for (const session of sessions) {
      const chain = wins.filter((w) => w.session.id === session.id).sort((a, b) => a.session.version - b.session.version);
      let status = session.status;
      for (const [i, win] of chain.entries()) {
        const where = `session ${session.id}, win ${i} (${win.previous.status} -> ${win.session.status})`;
        expect(win.session.version, `${where}: version`).to.equal(i + 2);
        expect(win.previous.version, `${where}: based on`).to.equal(i + 1);
        expect(win.previous.status, `${where}: previous status`).to.equal(status);
        if (win.session.status !== status) expect(canTransition(status, win.session.status), where).to.equal(true);
        status = win.session.status;
      }
    }
  });

  it('ends every session in the state of its last win (no lost update)', async () => {
    for (const session of sessions) {
      const chain = wins.filter((w) => w.session.id === session.id);
      const last = chain.reduce((a, b) => (b.session.version > a.session.version ? b : a));
      const stored = await manager.get(session.id);
      expect({ status: stored.status, version: stored.version, metadata: stored.metadata }, session.id).to.deep.equal({
        status: last.session.status,
        version: last.session.version,
        metadata: last.session.metadata,
      });
    }
  });

  it('keeps every list and search index exactly in step with the session hashes, with exact totals', async () => {
    const admin = redis.admin() as Redis;
    const prefix = redis.prefixOf(store);
    const stored = await Promise.all(sessions.map((s) => manager.get(s.id)));
    const expected = new Map<string, string[]>();
    const add = (key: string, id: string) => expected.set(key, [...(expected.get(key) ?? []), id].sort());
    for (const s of stored) {
      for (const key of ['all', `db:${s.dbConnectionId}`, `st:${s.status}`, `dbst:${s.status}:${s.dbConnectionId}`]) {
        add(`{${prefix}}:i:${key}`, s.id);
      }
      // Search entries too: they move on every change, so a race that lost one would show here.
      for (const [name, entry] of searchEntriesOf(s, [])) add(`{${prefix}}:i:x:${name}`, entry);
    }
    const allKeys = await keysOf([admin], prefix);
    const sessionKeys = allKeys.filter((key) => key.startsWith(`{${prefix}}:s:`)).sort();
    expect(sessionKeys).to.deep.equal(stored.map((s) => `{${prefix}}:s:${s.id}`).sort());
    const indexKeys = allKeys.filter((key) => key.startsWith(`{${prefix}}:i:`));
    // Besides sessions and indexes, a store keeps only its event stream and, once an update named
    // `running` (which gives a lease), its run tokens and leases.
    const storeKeys = allKeys.filter((key) => [`{${prefix}}:events`, `{${prefix}}:runs`, `{${prefix}}:leases`].includes(key));
    expect(indexKeys.length + sessionKeys.length + storeKeys.length, 'keys that are neither sessions, indexes nor events').to.equal(
      allKeys.length,
    );
    const actual = new Map<string, string[]>();
    for (const key of indexKeys) actual.set(key, (await admin.zrange(key, 0, -1)).sort());
    expect(Object.fromEntries(actual)).to.deep.equal(Object.fromEntries(expected));

    for (const dbConnectionId of [undefined, 'db-0', 'db-1']) {
      for (const status of [undefined, ...SESSION_STATUSES]) {
        const matching = stored.filter(
          (s) => (!dbConnectionId || s.dbConnectionId === dbConnectionId) && (!status || s.status === status),
        );
        const page = await manager.list({ dbConnectionId, status });
        expect(page.total, `total of db ${dbConnectionId} status ${status}`).to.equal(matching.length);
        expect(page.sessions.map((s) => s.id).sort()).to.deep.equal(matching.map((s) => s.id).sort());
      }
    }
  });
});
