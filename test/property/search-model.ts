import { expect } from 'chai';
import fc from 'fast-check';
import {
  AgentSessionManager,
  compareForSearch,
  matchesSearchFilter,
  SESSION_MODES,
  SESSION_STATUSES,
  type AgentSession,
  type SessionSearchQuery,
  type SessionStore,
  type StoreSearchFilter,
} from '../../src/index.js';

// Model-based check of search: random sessions and writes, then random filters, sorts and
// cursor walks (some interleaved with writes) compared with a naive filter over every session.

export const SEARCH_MODEL_INDEXED_KEYS = ['user_id', 'project', 'tier'];

/** Gives a fresh, empty store indexing SEARCH_MODEL_INDEXED_KEYS. */
export type SearchStoreFactory = (options: { indexedMetadataKeys: readonly string[] }) => Promise<SessionStore> | SessionStore;

const START = Date.parse('2026-05-01T00:00:00.000Z');

const metadataArb = fc.record(
  {
    user_id: fc.constantFrom('u0', 'u1', 'u2'),
    project: fc.constantFrom(0, 1, 2, '1'),
    tier: fc.boolean(),
    other: fc.constant('x'),
  },
  { requiredKeys: [] },
);

type Write =
  | { kind: 'create'; db: number; mode: (typeof SESSION_MODES)[number]; metadata: Record<string, unknown>; advance: number }
  | { kind: 'update'; pick: number; metadata?: Record<string, unknown>; status?: (typeof SESSION_STATUSES)[number]; advance: number }
  | { kind: 'delete'; pick: number };

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), db: fc.nat(2), mode: fc.constantFrom(...SESSION_MODES), metadata: metadataArb, advance: fc.nat(3) }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('update' as const),
        pick: fc.nat(),
        metadata: metadataArb,
        status: fc.constantFrom(...SESSION_STATUSES),
        advance: fc.nat(3),
      },
      { requiredKeys: ['kind', 'pick', 'advance'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
);

const timeArb = fc.option(fc.integer({ min: -1, max: 60 }), { nil: undefined });

const queryArb = fc.record(
  {
    dbConnectionId: fc.option(fc.constantFrom('db-0', 'db-1', 'db-2', 'db-9'), { nil: undefined }),
    status: fc.option(fc.oneof(fc.constantFrom(...SESSION_STATUSES), fc.uniqueArray(fc.constantFrom(...SESSION_STATUSES), { minLength: 1 })), { nil: undefined }),
    mode: fc.option(fc.uniqueArray(fc.constantFrom(...SESSION_MODES), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    metadata: fc.option(
      fc.record({ user_id: fc.constantFrom('u0', 'u1'), project: fc.constantFrom(1, '1', 2), tier: fc.boolean() }, { requiredKeys: [] }),
      { nil: undefined },
    ),
    createdAfter: timeArb,
    createdBefore: timeArb,
    updatedAfter: timeArb,
    updatedBefore: timeArb,
    sortBy: fc.constantFrom('createdAt' as const, 'updatedAt' as const),
    sortOrder: fc.constantFrom('asc' as const, 'desc' as const),
    limit: fc.integer({ min: 1, max: 6 }),
  },
  { requiredKeys: ['sortBy', 'sortOrder', 'limit'] },
);
type QueryShape = typeof queryArb extends fc.Arbitrary<infer T> ? T : never;

function toQuery(shape: QueryShape): SessionSearchQuery {
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(shape)) {
    if (value === undefined) continue;
    query[key] = /^(created|updated)(After|Before)$/.test(key) ? new Date(START + (value as number)).toISOString() : value;
  }
  return query as SessionSearchQuery;
}

function toFilter(shape: QueryShape): StoreSearchFilter {
  const time = (offset: number | undefined) => (offset === undefined ? undefined : START + offset);
  const asList = <T>(value: T | readonly T[] | undefined) => (value === undefined ? undefined : Array.isArray(value) ? value : [value as T]);
  return {
    dbConnectionId: shape.dbConnectionId,
    statuses: asList(shape.status),
    modes: asList(shape.mode),
    metadata: shape.metadata,
    createdAfter: time(shape.createdAfter),
    createdBefore: time(shape.createdBefore),
    updatedAfter: time(shape.updatedAfter),
    updatedBefore: time(shape.updatedBefore),
  };
}

/** The store, a manager on a hand-moved clock, and the model: every live session as the manager returned it. */
class SearchModel {
  private now = START;
  readonly manager: AgentSessionManager;
  readonly sessions = new Map<string, AgentSession>();
  private readonly everCreated: string[] = [];

  constructor(store: SessionStore) {
    this.manager = new AgentSessionManager(store, { clock: () => this.now });
  }

  /** Applies a write; returns the id it touched. Refused transitions change nothing. */
  async apply(write: Write): Promise<string | undefined> {
    if (write.kind === 'create') {
      this.now += write.advance;
      const session = await this.manager.create({ dbConnectionId: `db-${write.db}`, mode: write.mode, metadata: write.metadata });
      this.sessions.set(session.id, session);
      this.everCreated.push(session.id);
      return session.id;
    }
    if (this.everCreated.length === 0) return undefined;
    const id = this.everCreated[write.pick % this.everCreated.length];
    if (write.kind === 'delete') {
      if (this.sessions.delete(id)) await this.manager.delete(id);
      return id;
    }
    this.now += write.advance;
    const current = this.sessions.get(id);
    if (!current) return id;
    try {
      const input = { metadata: write.metadata, status: write.status };
      this.sessions.set(id, await this.manager.update(id, input));
    } catch (error) {
      if ((error as { code?: string }).code !== 'invalid_transition') throw error;
    }
    return id;
  }

  expected(shape: QueryShape): AgentSession[] {
    const filter = toFilter(shape);
    return [...this.sessions.values()].filter((s) => matchesSearchFilter(s, filter)).sort(compareForSearch(shape.sortBy, shape.sortOrder));
  }
}

const ids = (sessions: readonly { id: string }[]) => sessions.map((s) => s.id);

/** The filter fields of a search query (count takes no sort or page). */
function countFilterOf(query: SessionSearchQuery): SessionSearchQuery {
  const filter: Record<string, unknown> = { ...query };
  for (const name of ['sortBy', 'sortOrder', 'limit', 'cursor', 'select']) delete filter[name];
  return filter as SessionSearchQuery;
}

/** Registers the search model properties for a store. */
export function describeSearchModel(
  name: string,
  createStore: SearchStoreFactory,
  options: { numRuns?: number; dispose?: (store: SessionStore) => Promise<void> } = {},
): void {
  const { numRuns = 100, dispose = (store: SessionStore) => store.close?.() ?? Promise.resolve() } = options;
  const withModel = async (body: (model: SearchModel) => Promise<void>) => {
    const store = await createStore({ indexedMetadataKeys: SEARCH_MODEL_INDEXED_KEYS });
    try {
      await body(new SearchModel(store));
    } finally {
      await dispose(store);
    }
  };

  describe(`search against a naive filter: ${name}`, function () {
    this.timeout(120_000);

    it('every cursor walk returns exactly the matching sessions in order, with exact totals and counts', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(writeArb, { maxLength: 40, size: 'medium' }), fc.array(queryArb, { minLength: 1, maxLength: 4 }), async (writes, shapes) =>
          withModel(async (model) => {
            for (const write of writes) await model.apply(write);
            for (const shape of shapes) {
              const label = JSON.stringify(shape);
              const want = model.expected(shape);
              const walked: string[] = [];
              let cursor: string | undefined;
              do {
                const page = await model.manager.search({ ...toQuery(shape), cursor });
                expect(page.total, `total of ${label}`).to.equal(want.length);
                expect(page.sessions.length, `page size of ${label}`).to.be.at.most(shape.limit);
                expect(page.sessions, `sessions of ${label}`).to.deep.equal(want.slice(walked.length, walked.length + page.sessions.length));
                walked.push(...ids(page.sessions));
                cursor = page.nextCursor ?? undefined;
                if (cursor) expect(page.sessions.length, `a page before the last is full: ${label}`).to.equal(shape.limit);
              } while (cursor);
              expect(walked, `walk of ${label}`).to.deep.equal(ids(want));
              const filter = countFilterOf(toQuery(shape));
              expect(await model.manager.count(filter), `count of ${label}`).to.equal(want.length);
            }
          }),
        ),
        { numRuns },
      );
    });

    it('a walk interleaved with writes returns every session that matched throughout untouched exactly once, and no session twice', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(writeArb, { maxLength: 30, size: 'medium' }), queryArb, fc.array(fc.array(writeArb, { maxLength: 3 }), { maxLength: 12 }), async (writes, shape, between) =>
          withModel(async (model) => {
            for (const write of writes) await model.apply(write);
            const label = JSON.stringify(shape);
            const matchedAtStart = new Set(ids(model.expected(shape)));
            const touched = new Set<string>();
            const seen: string[] = [];
            let cursor: string | undefined;
            let round = 0;
            do {
              const page = await model.manager.search({ ...toQuery(shape), cursor });
              const filter = toFilter(shape);
              for (const session of page.sessions) {
                expect(matchesSearchFilter(session as AgentSession, filter), `${session.id} matches ${label} when returned`).to.equal(true);
                expect(session, `${session.id} is returned as it is now`).to.deep.equal(model.sessions.get(session.id));
              }
              seen.push(...ids(page.sessions));
              cursor = page.nextCursor ?? undefined;
              for (const write of between[round++] ?? []) {
                const id = await model.apply(write);
                if (id) touched.add(id);
              }
            } while (cursor && round < 200);
            const matchedAtEnd = new Set(ids(model.expected(shape)));
            for (const id of matchedAtStart) {
              if (touched.has(id) || !matchedAtEnd.has(id)) continue;
              expect(seen.filter((s) => s === id).length, `${id} untouched and matching throughout ${label}`).to.equal(1);
            }
            // Only a session whose sort value moved forward in an ascending walk by updated_at may come twice.
            const twice = seen.filter((id, i) => seen.indexOf(id) !== i);
            if (!(shape.sortBy === 'updatedAt' && shape.sortOrder === 'asc')) expect(twice, `repeated in ${label}`).to.deep.equal([]);
            else for (const id of twice) expect(touched.has(id), `${id} repeated without being updated`).to.equal(true);
          }),
        ),
        { numRuns },
      );
    });
  });
}
