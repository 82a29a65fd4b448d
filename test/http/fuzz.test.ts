import { expect } from 'chai';
import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { SESSION_STATUSES, type AgentSession, type AgentSessionManager } from '../../src/index.js';
import { fuzzRequest, type FuzzRequest } from './fuzz-requests.js';
import { problemResponseFault } from './problem-check.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

// Thousands of generated hostile requests against the real server over HTTP. Every answer must
// be 2xx or a well-formed 4xx problem, the process must survive, and afterwards the store must
// still be consistent. FUZZ_SEED reproduces a run; FUZZ_REQUESTS changes its size.

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 16;

interface Answer {
  status: number;
  contentType: string | null;
  allow: string | null;
  body: string;
}

function send(agent: Agent, base: URL, req: FuzzRequest, id: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path.replace('{id}', id) + req.query,
        // Explicit framing: node:http sends a HEAD body without a length otherwise.
        headers: req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? null,
            allow: (res.headers.allow as string | undefined) ?? null,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    client.on('error', reject);
    client.end(req.body);
  });
}

function faultOf(req: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status === 405 && !answer.allow) return '405 without an Allow header';
  // HEAD answers carry the headers of a GET but no body to inspect.
  if (req.method === 'HEAD' && answer.status >= 400 && answer.status < 500) {
    return answer.contentType?.startsWith('application/problem+json') ? undefined : `HEAD ${answer.status} with Content-Type ${answer.contentType}`;
  }
  return problemResponseFault(answer.status, answer.contentType, answer.body);
}

function describeRequest(req: FuzzRequest, id: string): string {
  const shown = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text);
  return `${req.method} ${shown(req.path.replace('{id}', id) + req.query)} headers=${shown(JSON.stringify(req.headers))} body=${shown(req.body ?? '(none)')}`;
}

async function allSessions(manager: AgentSessionManager, filter: { dbConnectionId?: string; status?: AgentSession['status'] } = {}): Promise<AgentSession[]> {
  const sessions: AgentSession[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await manager.list({ ...filter, limit: 1000, offset });
    sessions.push(...page.sessions);
    if (page.sessions.length < 1000) {
      expect(page.total, `total of ${JSON.stringify(filter)}`).to.equal(sessions.length);
      return sessions;
    }
  }
}

/** Every session is in exactly the listings its fields put it in, in order, with exact totals. */
async function expectStoreConsistent(manager: AgentSessionManager): Promise<void> {
  const everything = await allSessions(manager);
  const ids = everything.map((s) => s.id);
  expect(new Set(ids).size, 'duplicate ids in the full listing').to.equal(ids.length);
  for (let i = 1; i < everything.length; i++) {
    const [newer, older] = [everything[i - 1], everything[i]];
    expect(newer.createdAt > older.createdAt || (newer.createdAt === older.createdAt && newer.id > older.id), `order of ${newer.id} before ${older.id}`).to.equal(true);
  }
  for (const session of everything) {
    expect(SESSION_STATUSES, `status of ${session.id}`).to.include(session.status);
    expect(await manager.get(session.id), `get ${session.id}`).to.deep.equal(session);
  }
  const dbIds = [...new Set(everything.map((s) => s.dbConnectionId))];
  const filters: { dbConnectionId?: string; status?: AgentSession['status'] }[] = [
    ...dbIds.map((dbConnectionId) => ({ dbConnectionId })),
    ...SESSION_STATUSES.map((status) => ({ status })),
    ...dbIds.flatMap((dbConnectionId) => SESSION_STATUSES.map((status) => ({ dbConnectionId, status }))),
  ];
  for (const filter of filters) {
    const expected = everything.filter((s) => (!filter.dbConnectionId || s.dbConnectionId === filter.dbConnectionId) && (!filter.status || s.status === filter.status));
    expect((await allSessions(manager, filter)).map((s) => s.id), `listing ${JSON.stringify(filter)}`).to.deep.equal(expected.map((s) => s.id));
  }
}

describe(`HTTP fuzzing (${REQUESTS} generated requests, FUZZ_SEED=${SEED})`, function () {
  this.timeout(120_000);
  let server: TestServer;
  let agent: Agent;

  before(async () => {
    server = await startTestServer({ requestTimeoutMs: 5_000 });
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  });

  after(async () => {
    agent.destroy();
    await server.running.close(0);
  });

  it('answers every request with 2xx or a well-formed 4xx problem, and the store stays consistent', async () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const liveIds: string[] = [];
    for (let i = 0; i < 20; i++) liveIds.push((await server.manager.create({ dbConnectionId: `db-${i % 3}` })).id);

    const requests = fc.sample(fuzzRequest, { numRuns: REQUESTS, seed: SEED });
    const faults: string[] = [];
    let answered = 0;
    let next = 0;
    const base = new URL(server.running.url);
    async function worker(): Promise<void> {
      while (next < requests.length && faults.length < 5) {
        const req = requests[next++];
        const id = liveIds[req.idSlot % liveIds.length];
        try {
          const answer = await send(agent, base, req, id);
          answered++;
          const fault = faultOf(req, answer);
          if (fault) faults.push(`${fault}\n    for ${describeRequest(req, id)}`);
          const created = answer.status === 201 ? (JSON.parse(answer.body) as { session_id?: string }).session_id : undefined;
          if (created) liveIds.push(created);
        } catch (error) {
          if (!req.mayBeCutOff) faults.push(`network error ${(error as Error).message}\n    for ${describeRequest(req, id)}`);
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(faults, `faults (reproduce with FUZZ_SEED=${SEED})`).to.deep.equal([]);
    expect(server.unexpectedErrors, 'errors that became 500').to.deep.equal([]);
    expect(answered, 'requests answered').to.be.greaterThan(REQUESTS * 0.95);
    expect(Object.getOwnPropertyNames(Object.prototype).sort(), 'Object.prototype keys').to.deep.equal(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype.polluted').to.equal(undefined);
    await expectStoreConsistent(server.manager);
  });
});
