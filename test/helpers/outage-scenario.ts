import { expect } from 'chai';
import { AgentSessionManager, StoreUnavailableError, type AgentSession, type SessionStore } from '../../src/index.js';
import { COLLECTION_PATH, startServer, type RunningServer } from '../../src/server/index.js';

// One scenario in steps that run in order, shared by the Redis and PostgreSQL stores: a stream
// of writes through the manager and the HTTP server, the backend SIGKILLed mid-stream, calls
// during the outage, the backend restarted on the same port and data, and the same
// store/manager/server serving again without being restarted.

const OUTAGE_BOUND_MS = 3000;
const ACKS_BEFORE_KILL = 40;
type Acked = Pick<AgentSession, 'status' | 'version' | 'metadata'>;

/** A backend the scenario can kill and restart, with a store on it. */
export interface OutageBackend {
  store: SessionStore;
  /** SIGKILLs the backend (no shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Registers the steps. `start` brings up a durable backend (every acknowledged write on disk);
 * `internals` matches what a 503's detail must never reveal about it.
 */
export function describeOutageScenario(start: () => Promise<OutageBackend>, internals: RegExp, name: string): void {
  let backend: OutageBackend;
  let manager: AgentSessionManager;
  let server: RunningServer;
  const acked = new Map<string, Acked>();
  // Sessions whose last write failed at the kill: it may or may not have been applied.
  const unsure = new Set<string>();
  let acks = 0;

  before(async function () {
    this.timeout(60_000);
    backend = await start();
    manager = new AgentSessionManager(backend.store);
    server = await startServer({ manager, port: 0, onUnexpectedError: (error) => console.error(error) });
  });

  after(async () => {
    await server?.close(0);
    await backend?.store.close?.();
    await backend?.destroy();
  });

  const http = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${COLLECTION_PATH}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  function ack(id: string, state: Acked): void {
    acked.set(id, state);
    acks++;
  }

  async function httpOk(response: Response): Promise<Record<string, unknown>> {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }

  /** Creates sessions and walks each through pause, resume and a metadata change, until a call fails. */
  async function stream(loop: number): Promise<void> {
    for (let i = 0; ; i++) {
      let id: string | undefined;
      try {
        if (i % 2) {
          id = (await httpOk(await http('POST', '', { db_connection_id: `db-${loop}` }))).session_id as string;
          ack(id, { status: 'active', version: 1, metadata: {} });
        } else {
          const created = await manager.create({ dbConnectionId: `db-${loop}` });
          id = created.id;
          ack(id, created);
        }
        ack(id, await manager.pause(id));
        await httpOk(await http('POST', `/${id}/resume`));
        ack(id, { status: 'active', version: 3, metadata: {} });
        ack(id, await manager.update(id, { metadata: { loop, i } }));
      } catch {
        if (id) unsure.add(id);
        return;
      }
    }
  }

  async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
    const started = Date.now();
    try {
      const result = await call();
      return { ms: Date.now() - started, result };
    } catch (error) {
      return { ms: Date.now() - started, error };
    }
  }

  it(`step 1: acknowledges writes until ${name} is SIGKILLed mid-stream`, async () => {
    const loops = [0, 1, 2].map(stream);
    while (acks < ACKS_BEFORE_KILL) await new Promise((resolve) => setTimeout(resolve, 5));
    await backend.kill();
    const ended = await timed(() => Promise.all(loops));
    expect(ended.ms, 'time for in-flight calls to fail').to.be.below(OUTAGE_BOUND_MS);
    expect(acks).to.be.at.least(ACKS_BEFORE_KILL);
  });

  it(`step 2: fails every manager call fast with StoreUnavailableError while ${name} is down`, async () => {
    const [id] = acked.keys();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['create', () => manager.create({ dbConnectionId: 'db-down' })],
      ['get', () => manager.get(id)],
      ['list', () => manager.list({ status: 'active' })],
      ['update', () => manager.update(id, { title: 'down' })],
      ['pause', () => manager.pause(id)],
      ['resume', () => manager.resume(id)],
      ['delete', () => manager.delete(id)],
      ['subscribe', () => manager.events.subscribe(() => {})],
    ];
    for (const [call, run] of calls) {
      const { ms, error } = await timed(run);
      expect(error, `${call} during the outage`).to.be.instanceOf(StoreUnavailableError);
      expect(ms, `${call} took`).to.be.below(OUTAGE_BOUND_MS);
    }
  });

  it(`step 3: answers 503 problem JSON without internals over HTTP, and /readyz 503, while ${name} is down`, async () => {
    const [id] = acked.keys();
    const requests: Array<[string, string, unknown?]> = [
      ['POST', '', { db_connection_id: 'db-down' }],
      ['GET', ''],
      ['GET', `/${id}`],
      ['PATCH', `/${id}`, { title: 'down' }],
      ['POST', `/${id}/pause`],
      ['DELETE', `/${id}`],
    ];
    for (const [method, path, body] of requests) {
      const request = `${method} ${path || '/'}`;
      const { ms, result: response } = await timed(() => http(method, path, body));
      expect(ms, `${request} took`).to.be.below(OUTAGE_BOUND_MS);
      expect(response?.status, request).to.equal(503);
      expect(response?.headers.get('content-type'), request).to.match(/^application\/problem\+json/);
      const problem = (await response?.json()) as { status: number; detail: string };
      expect(problem.status).to.equal(503);
      expect(problem.detail, request).to.be.a('string').and.not.match(internals);
    }
    const ready = await timed(() => fetch(`${server.url}/readyz`));
    expect(ready.ms, 'readyz took').to.be.below(OUTAGE_BOUND_MS);
    expect(ready.result?.status, 'readyz during the outage').to.equal(503);
    expect((await fetch(`${server.url}/healthz`)).status, 'healthz during the outage').to.equal(200);
  });

  it(`step 4: serves again on the same store, manager and server once ${name} is back`, async () => {
    await backend.restart();
    // The client reconnects on its own; give it a few tries.
    let page: Awaited<ReturnType<AgentSessionManager['list']>> | undefined;
    for (let attempt = 0; !page && attempt < 20; attempt++) {
      page = await manager.list().catch(async () => void (await new Promise((resolve) => setTimeout(resolve, 250))));
    }
    expect(page, 'a list after the restart').to.not.equal(undefined);
    const created = await manager.create({ dbConnectionId: 'db-after' });
    expect((await manager.pause(created.id)).version).to.equal(2);
    expect((await http('POST', `/${created.id}/resume`)).status).to.equal(200);
    expect((await fetch(`${server.url}/readyz`)).status, 'readyz after the restart').to.equal(200);
  });

  it('step 5: still holds every write acknowledged before the kill, in its acknowledged state', async () => {
    expect(acked.size).to.be.greaterThan(0);
    for (const [id, state] of acked) {
      const stored = await manager.get(id);
      const actual = { status: stored.status, version: stored.version, metadata: stored.metadata };
      if (unsure.has(id) && stored.version === state.version + 1) continue;
      expect(actual, `session ${id}`).to.deep.equal({ status: state.status, version: state.version, metadata: state.metadata });
    }
  });
}
