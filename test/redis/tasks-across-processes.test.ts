import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { AgentSessionManager, InvalidTransitionError, LAST_ERROR_METADATA_KEY, type AgentSession } from '../../src/index.js';
import type { RedisSessionStore } from '../../src/redis.js';
import { startServer } from '../../src/server/index.js';
import { useStandaloneRedis } from '../helpers/redis-env.js';

const WORKER = fileURLToPath(new URL('./task-worker.ts', import.meta.url));
const LEASE_MS = 600;

interface Worker {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

function startWorker(url: string, prefix: string, sessionId: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, prefix, sessionId, String(LEASE_MS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    async waitFor(pattern) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker: no ${pattern} in: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

async function kill(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGKILL');
  await once(worker.child, 'exit');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('task runs across processes (Redis)', function () {
  this.timeout(30_000);
  const redis = useStandaloneRedis();
  let store: RedisSessionStore;
  let manager: AgentSessionManager;
  let worker: Worker | undefined;
  let session: AgentSession;

  beforeEach(async () => {
    store = redis.newStore();
    manager = new AgentSessionManager(store);
    session = await manager.create({ dbConnectionId: 'db-workers', metadata: { owner: 'test' } });
  });

  afterEach(async () => {
    if (worker) await kill(worker);
    worker = undefined;
    await store.close();
  });

  function url(): string {
    const { port } = redis.admin().options as { port: number };
    return `redis://127.0.0.1:${port}`;
  }

  it('refuses a second run here, and aborts the handler in the process running it within 100 ms of a pause here resolving', async () => {
    worker = startWorker(url(), redis.prefixOf(store), session.id);
    await worker.waitFor(/running/);
    expect((await manager.get(session.id)).status).to.equal('running');
    let called = false;
    const second = await manager.runTask(session.id, async () => void (called = true)).catch((error: unknown) => error);
    expect(second, 'a second run here while the worker runs').to.be.instanceOf(InvalidTransitionError);
    expect(called).to.equal(false);
    await manager.pause(session.id);
    const pausedAt = Date.now();
    const [, abortedAt] = await worker.waitFor(/aborted (\d+)/);
    // Both clocks are this machine's wall clock.
    expect(Number(abortedAt) - pausedAt, 'ms from pause resolved to abort seen in the worker').to.be.below(100);
    expect((await manager.get(session.id)).status).to.equal('paused');
  });

  it('renews the lease while the runner lives, and fails the session after the runner is killed and the lease expires', async () => {
    worker = startWorker(url(), redis.prefixOf(store), session.id);
    await worker.waitFor(/running/);
    await sleep(LEASE_MS * 2);
    const reaper = manager.startLeaseReaper({ intervalMs: 60_000 });
    try {
      expect(await reaper.sweep(), 'reaped while the runner renews').to.deep.equal([]);
    } finally {
      reaper.stop();
    }
    await kill(worker);
    expect((await manager.get(session.id)).status, 'right after the kill').to.equal('running');

    // The next start-up of a server on the same Redis sweeps at once, then every intervalMs.
    await sleep(LEASE_MS);
    const running = await startServer({ manager, port: 0, leaseReaperIntervalMs: 100 });
    try {
      let current = await manager.get(session.id);
      for (let i = 0; i < 100 && current.status === 'running'; i++) {
        await sleep(20);
        current = await manager.get(session.id);
      }
      expect(current.status).to.equal('failed');
      expect(current.metadata.owner).to.equal('test');
      expect(String(current.metadata[LAST_ERROR_METADATA_KEY])).to.match(/lease expired/);
      expect(await store.expiredRuns(10)).to.deep.equal([]);
    } finally {
      await running.close();
    }
  });
});
