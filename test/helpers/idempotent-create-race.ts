import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { AgentSessionManager, type SessionStore } from '../../src/index.js';

// Idempotent create raced by several processes on one backend (Redis, PostgreSQL).

const WORKERS = 4;
const CREATES_PER_KEY = 20;
const KEYS = 3;

interface Answer {
  key: string;
  id: string;
  replayed: boolean;
}

interface Worker {
  ready: Promise<void>;
  go(): void;
  answers: Promise<Answer[]>;
}

function startWorker(workerPath: string, url: string, namespace: string, keys: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', workerPath, url, namespace, String(CREATES_PER_KEY), keys.join(',')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) ready();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const answers = new Promise<Answer[]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`idempotent create worker exited with ${code}:\n${stderr}`));
      else resolve(stdout.split('\n').slice(1).filter(Boolean).map((line) => JSON.parse(line) as Answer));
    });
  });
  return { ready: Promise.race([readyPromise, answers.then(() => undefined)]), go: () => child.stdin.write('go\n'), answers };
}

/** One backend for the race: a store on it, and how a worker process reaches the same data. */
export interface RaceBackend {
  store: SessionStore;
  workerPath: string;
  url: string;
  /** The Redis prefix or PostgreSQL schema of `store`. */
  namespace: string;
}

/** Registers the tests inside the caller's describe, which starts the backend. */
export function describeIdempotentCreateRace(backend: () => RaceBackend): void {
  let store: SessionStore;
  const answers = new Map<string, Answer[]>();

  before(async () => {
    const { workerPath, url, namespace, ...started } = backend();
    store = started.store;
    const keys = Array.from({ length: KEYS }, (_, i) => `order-${i}`);
    // Every worker races on every key, all released at once after they have connected.
    const workers = Array.from({ length: WORKERS }, () => startWorker(workerPath, url, namespace, keys));
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.go();
    for (const answer of (await Promise.all(workers.map((worker) => worker.answers))).flat()) {
      answers.set(answer.key, [...(answers.get(answer.key) ?? []), answer]);
    }
  });

  after(() => store?.close?.());

  it('creates exactly one session per key; every other create answers it as a replay', () => {
    for (const [key, list] of answers) {
      expect(list.length, `answers for ${key}`).to.equal(WORKERS * CREATES_PER_KEY);
      expect(new Set(list.map((a) => a.id)).size, `distinct sessions for ${key}`).to.equal(1);
      expect(list.filter((a) => !a.replayed).length, `first (non-replayed) answers for ${key}`).to.equal(1);
    }
  });

  it('leaves exactly one stored session per key', async () => {
    const page = await new AgentSessionManager(store).list({ dbConnectionId: 'db-idem-race' });
    expect(page.total).to.equal(KEYS);
    expect(page.sessions.map((s) => s.id).sort()).to.deep.equal([...answers.values()].map((list) => list[0].id).sort());
  });
}
