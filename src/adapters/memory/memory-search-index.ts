import {
  checkIndexedMetadataKeys,
  countSortField,
  idOfSearchEntry,
  metadataTokensOf,
  passesChecks,
  planSearch,
  searchEntriesOf,
  searchIndexName,
  type EntryBound,
  type SearchPlan,
} from '../../domain/search-index.js';
import type { AgentSession, StoreSearchFilter, StoreSearchQuery, StoreSearchResult } from '../../domain/index.js';
import { SortedIndex } from './sorted-index.js';

const NO_TOKENS: readonly string[] = Object.freeze([]);

/**
 * The memory store's search indexes (the layout of `domain/search-index.ts`): sorted arrays of
 * `<ms>:<id>` entries by index name. The store calls `add` and `remove` inside the same
 * synchronous step as each write, so the indexes are always exact.
 */
export class MemorySearchIndex {
  readonly indexedMetadataKeys: readonly string[];
  private readonly indexes = new Map<string, SortedIndex>();
  /** Metadata tokens of every indexed session that has any, so removal and checks need no recomputing. */
  private readonly tokens = new Map<string, readonly string[]>();

  constructor(indexedMetadataKeys: readonly string[] | undefined) {
    this.indexedMetadataKeys = checkIndexedMetadataKeys(indexedMetadataKeys);
  }

  add(session: AgentSession): void {
    const tokens = metadataTokensOf(session.metadata, this.indexedMetadataKeys);
    if (tokens.length > 0) this.tokens.set(session.id, tokens);
    for (const [name, entry] of searchEntriesOf(session, tokens)) {
      let index = this.indexes.get(name);
      if (!index) this.indexes.set(name, (index = new SortedIndex()));
      index.add(entry);
    }
  }

  remove(session: AgentSession): void {
    const tokens = this.tokens.get(session.id) ?? NO_TOKENS;
    if (tokens.length > 0) this.tokens.delete(session.id);
    for (const [name, entry] of searchEntriesOf(session, tokens)) {
      const index = this.indexes.get(name);
      if (!index) continue;
      index.remove(entry);
      if (index.size === 0) this.indexes.delete(name);
    }
  }

  /**
   * The ids of a page of `list`: newest created first, filtered by db connection and status. The
   * created-time index without a metadata token holds exactly those sessions, in that order.
   */
  listPage(dbConnectionId: string | undefined, status: string | undefined, offset: number, limit: number): { ids: string[]; total: number } {
    const index = this.indexes.get(searchIndexName('c', status ?? '', '', dbConnectionId ?? ''));
    if (!index) return { ids: [], total: 0 };
    return { ids: index.newestFirst(offset, limit).map(idOfSearchEntry), total: index.size };
  }

  search(query: StoreSearchQuery, sessionOf: (id: string) => AgentSession): StoreSearchResult {
    const plan = planSearch(query.filter, query.sortBy, this.indexedMetadataKeys, query.after, query.sortOrder);
    const total = query.skipTotal ? -1 : this.total(plan, sessionOf);
    const sessions: AgentSession[] = [];
    let hasMore = false;
    for (const session of this.walk(plan, query.sortOrder === 'asc', plan.from, plan.to, sessionOf)) {
      if (sessions.length === query.limit) {
        hasMore = true;
        break;
      }
      sessions.push(session);
    }
    return { sessions, hasMore, total };
  }

  count(filter: StoreSearchFilter, sessionOf: (id: string) => AgentSession): number {
    return this.total(planSearch(filter, countSortField(filter), this.indexedMetadataKeys), sessionOf);
  }

  private total(plan: SearchPlan, sessionOf: (id: string) => AgentSession): number {
    if (plan.empty) return 0;
    if (!plan.checks) {
      let total = 0;
      for (const index of this.existing(plan)) {
        const [first, end] = rangeIn(index, plan.lower, plan.upper);
        total += Math.max(0, end - first);
      }
      return total;
    }
    let total = 0;
    for (const session of this.walk(plan, true, plan.lower, plan.upper, sessionOf)) if (session) total++;
    return total;
  }

  /** The matching sessions between the bounds, in order, merged over the plan's indexes. */
  private *walk(plan: SearchPlan, ascending: boolean, from: EntryBound | undefined, to: EntryBound | undefined, sessionOf: (id: string) => AgentSession): Generator<AgentSession> {
    if (plan.empty) return;
    const cursors = this.existing(plan).map((index) => {
      const [first, end] = rangeIn(index, from, to);
      return { index, next: ascending ? first : end - 1, first, end };
    });
    for (;;) {
      let best: (typeof cursors)[number] | undefined;
      for (const cursor of cursors) {
        if (cursor.next < cursor.first || cursor.next >= cursor.end) continue;
        const entry = cursor.index.at(cursor.next);
        if (!best || (ascending ? entry < best.index.at(best.next) : entry > best.index.at(best.next))) best = cursor;
      }
      if (!best) return;
      const id = idOfSearchEntry(best.index.at(best.next));
      best.next += ascending ? 1 : -1;
      const session = sessionOf(id);
      if (passesChecks(session, this.tokens.get(id) ?? NO_TOKENS, plan.checks)) yield session;
    }
  }

  private existing(plan: SearchPlan): SortedIndex[] {
    return plan.indexes.map((name) => this.indexes.get(name)).filter((index) => index !== undefined);
  }
}

/** Positions [first, end) of the entries of `index` within the bounds. */
function rangeIn(index: SortedIndex, from: EntryBound | undefined, to: EntryBound | undefined): [number, number] {
  const first = from ? index.positionAfter(from.entry, from.inclusive) : 0;
  const end = to ? index.positionAfter(to.entry, !to.inclusive) : index.size;
  return [first, end];
}
