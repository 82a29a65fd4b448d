import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { canTransition, type AgentSession, type AgentSessionManager } from '../../src/index.js';
import type { Win } from './recording-store.js';

// The multi-process race shared by the Redis and PostgreSQL tests: workers (see race-hammer.ts)
// print every write that won; these checks hold for any store that loses no update.

export const RACE_WORKERS = 4;
export const RACE_OPS_PER_WORKER = 150;

/** Runs `RACE_WORKERS` worker processes at once; resolves with every win they printed. */
export async function runRaceWorkers(workerPath: string, url: string, namespace: string, ids: string[]): Promise<Win[]> {
  const runs = Array.from({ length: RACE_WORKERS }, (_, worker) => {
    const args = ['--import', 'tsx', workerPath, url, namespace, `w${worker}`, String(RACE_OPS_PER_WORKER), ids.join(',')];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<Win[]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code !== 0) reject(new Error(`race worker ${worker} exited with ${code}:\n${stderr}`));
        else resolve(stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Win));
      });
    });
  });
  return (await Promise.all(runs)).flat();
}

/** Every session has a gapless chain of wins, each a legal step from the one before. */
export function expectGaplessChains(sessions: AgentSession[], wins: Win[]): void {
  expect(wins.length, 'wins across all workers').to.be.greaterThan(sessions.length * 10);
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
}

/** Every session is stored in the state of its last win (no lost update). */
export async function expectLastWinsStored(sessions: AgentSession[], wins: Win[], manager: AgentSessionManager): Promise<void> {
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
}
