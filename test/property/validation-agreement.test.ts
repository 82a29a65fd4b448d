import { expect } from 'chai';
import fc from 'fast-check';
import { AgentSessionManager, MemorySessionStore, ValidationError } from '../../src/index.js';
import { toWirePath } from '../../src/server/wire.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

// One rule, two doors: the same create bodies go to the library (camelCase) and to HTTP (the
// wire), and both must accept or both refuse; a field HTTP names, the library names too.

const BASE = '/api/v1/agent-sessions';
const LIBRARY_NAMES: Record<string, string> = { db_connection_id: 'dbConnectionId', recursion_limit: 'recursionLimit' };

const emoji = fc.constantFrom('😀', '🧪', '👩‍💻', 'é', 'a', '中');
/** Strings near the 256-character bound, in code points of one or two UTF-16 units. */
const nearBound = fc.integer({ min: 250, max: 260 }).chain((n) => fc.array(emoji, { minLength: n, maxLength: n }).map((parts) => parts.join('')));
const loneSurrogate = fc.constantFrom('\ud800', 'x\udc00', 'ok\ud83d', '\udfff\ud800');
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 20 }), nearBound, loneSurrogate, fc.constant(''));
const notText = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));

const metadata = fc.oneof(
  fc.constant(null),
  fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), loneSurrogate), fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 4 }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.string({ maxLength: 5 }),
);

const createBody = fc.record(
  {
    db_connection_id: fc.oneof(text, notText),
    mode: fc.constantFrom('analysis', 'query', 'script', 'full_autonomy', 'bogus', 7),
    recursion_limit: fc.oneof(fc.integer({ min: -2, max: 502 }), fc.constantFrom(1.5, '100', null)),
    title: fc.oneof(text, fc.constant(null), notText),
    metadata,
    dbConnectionId: fc.string({ maxLength: 4 }),
  },
  { requiredKeys: [] },
);

function toLibraryInput(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [LIBRARY_NAMES[key] ?? (key === 'dbConnectionId' ? 'db_connectionId_typo' : key), value]));
}

const topField = (path: string) => path.split(/[.[]/)[0];

describe('validation: the library and HTTP agree', function () {
  this.timeout(120_000);
  let server: TestServer;
  const manager = new AgentSessionManager(new MemorySessionStore());

  before(async () => {
    server = await startTestServer({ leaseReaperIntervalMs: false });
  });

  after(async () => {
    await server.running.close(0);
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  it('gives the same verdict on generated create bodies, naming the same fields', async () => {
    await fc.assert(
      fc.asyncProperty(createBody, async (body) => {
        const library = await manager.create(toLibraryInput(body) as never).then(
          () => ({ ok: true, fields: [] as string[] }),
          (error: unknown) => {
            if (!(error instanceof ValidationError)) throw error;
            return { ok: false, fields: error.issues.map((issue) => topField(toWirePath(issue.path))) };
          },
        );
        const response = await server.request('POST', BASE, { body: JSON.stringify(body) });
        const answer = (await response.json()) as { errors?: Array<{ path: string }> };
        expect(response.status, `HTTP ${JSON.stringify(answer)}`).to.be.oneOf([201, 400]);
        const http = { ok: response.status === 201, fields: (answer.errors ?? []).map((issue) => topField(issue.path)) };
        expect(http.ok, `verdicts for ${JSON.stringify(body)}: library ${JSON.stringify(library)}, HTTP ${JSON.stringify(answer)}`).to.equal(library.ok);
        // HTTP stops at the schema's findings; each field it names, the library names too.
        const libraryFields = new Set(library.fields.map((field) => (field === 'db_connectionId_typo' ? 'dbConnectionId' : field)));
        for (const field of http.fields) expect(libraryFields, `field ${field} for ${JSON.stringify(body)}`).to.include(field);
      }),
      { numRuns: 400 },
    );
  });

  it('counts characters as code points on both: 256 emoji pass, 257 do not', async () => {
    for (const [count, status] of [
      [256, 201],
      [257, 400],
    ] as const) {
      const value = '😀'.repeat(count);
      const response = await server.request('POST', BASE, { body: { db_connection_id: value, title: value } });
      expect(response.status, `${count} emoji over HTTP`).to.equal(status);
      const library = await manager.create({ dbConnectionId: value, title: value }).then(
        () => 201,
        () => 400,
      );
      expect(library, `${count} emoji in the library`).to.equal(status);
      if (status === 400) {
        const { errors } = (await response.json()) as { errors: Array<{ path: string }> };
        expect(errors.map((e) => e.path).sort()).to.deep.equal(['db_connection_id', 'title']);
      }
    }
  });

  it('refuses lone surrogates with 400 naming the field, in fields and metadata', async () => {
    for (const [body, field] of [
      [{ db_connection_id: 'db\ud800' }, 'db_connection_id'],
      [{ db_connection_id: 'db', title: '\udc00' }, 'title'],
      [{ db_connection_id: 'db', metadata: { note: 'a\ud800b' } }, 'metadata.note'],
      [{ db_connection_id: 'db', metadata: { ['k\ud800']: 1 } }, 'metadata'],
    ] as const) {
      const response = await server.request('POST', BASE, { body: JSON.stringify(body) });
      const problem = (await response.json()) as { errors: Array<{ path: string; message: string }> };
      expect(response.status, JSON.stringify(problem)).to.equal(400);
      expect(problem.errors[0].path).to.equal(field);
      expect(problem.errors[0].message).to.match(/Unicode/);
    }
  });
});
