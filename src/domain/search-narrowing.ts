import { compareForSearch, sortValueOf, type StoreSearchFilter, type StoreSearchQuery, type StoreSearchResult } from './search.js';
import type { AgentSession } from './session.js';

/** A store's search and count, as the manager calls them. */
export interface SearchPort {
  search(query: StoreSearchQuery): Promise<StoreSearchResult>;
  count(filter: StoreSearchFilter): Promise<number>;
}

/** Narrows a store's search and count to fewer sessions (a principal's db connections). */
export type SearchNarrowing = (port: SearchPort) => SearchPort;

// Sessions read per store call while filtering by something no index answers (db prefixes).
const CHUNK = 1000;

/** Nothing matches: a filter naming a db connection the principal may not reach. */
export const NOTHING_VISIBLE: SearchNarrowing = () => ({
  search: async () => ({ sessions: [], hasMore: false, total: 0 }),
  count: async () => 0,
});

/**
 * Only the sessions of these exact db connections: one indexed search per db, merged in the
 * search order. Totals are the sum of each db's exact total; a page costs `limit` sessions per
 * db, never a walk of other dbs' sessions.
 */
export function withinDbs(dbConnectionIds: readonly string[]): SearchNarrowing {
  return (port) => ({
    async search(query) {
      const pages = await Promise.all(
        dbConnectionIds.map((dbConnectionId) => port.search({ ...query, filter: { ...query.filter, dbConnectionId } })),
      );
      const merged = pages.flatMap((page) => page.sessions).sort(compareForSearch(query.sortBy, query.sortOrder));
      return {
        sessions: merged.slice(0, query.limit),
        hasMore: merged.length > query.limit || pages.some((page) => page.hasMore),
        total: query.skipTotal ? -1 : pages.reduce((sum, page) => sum + page.total, 0),
      };
    },
    async count(filter) {
      const counts = await Promise.all(dbConnectionIds.map((dbConnectionId) => port.count({ ...filter, dbConnectionId })));
      return counts.reduce((sum, count) => sum + count, 0);
    },
  });
}

/**
 * Only the sessions `visible` accepts, for restrictions no index answers (db prefixes): pages
 * walk the filter's range until they are full, and the exact total walks all of it. Cost grows
 * with every session matching the rest of the filter; a key restricted to prefixes pays it.
 */
export function visibleOnly(visible: (session: AgentSession) => boolean): SearchNarrowing {
  return (port) => {
    // Calls `each` with every visible session matching `query` from its `after` on, in order, until it returns false.
    const walk = async (query: StoreSearchQuery, each: (session: AgentSession) => boolean): Promise<void> => {
      let after = query.after;
      for (;;) {
        const page = await port.search({ ...query, limit: CHUNK, after, skipTotal: true });
        for (const session of page.sessions) {
          if (visible(session) && !each(session)) return;
        }
        const last = page.sessions.at(-1);
        if (!page.hasMore || !last) return;
        after = { at: sortValueOf(last, query.sortBy), id: last.id };
      }
    };
    return {
      async search(query) {
        const sessions: AgentSession[] = [];
        let hasMore = false;
        await walk(query, (session) => {
          if (sessions.length < query.limit) return sessions.push(session) > 0;
          hasMore = true;
          return false;
        });
        let total = -1;
        if (!query.skipTotal) {
          total = 0;
          await walk({ ...query, after: undefined }, () => ++total > 0);
        }
        return { sessions, hasMore, total };
      },
      async count(filter) {
        let total = 0;
        await walk({ filter, sortBy: 'createdAt', sortOrder: 'asc', limit: CHUNK }, () => ++total > 0);
        return total;
      },
    };
  };
}
