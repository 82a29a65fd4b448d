import {
  countSortField,
  planSearch,
  type EntryBound,
  type SearchPlan,
} from '../../domain/search-index.js';
import type { AgentSession, StoreSearchFilter, StoreSearchQuery, StoreSearchResult } from '../../domain/index.js';
import type { SessionKeys } from './keys.js';
import type { SessionScripts } from './scripts/index.js';

/** Default of the most index entries one search script call examines, so Redis is never blocked for long. */
export const DEFAULT_SEARCH_SCAN_BUDGET = 1000;

type Runner = <T>(command: () => Promise<T>) => Promise<T>;
/** A row of the search script as a session, or `undefined` for one the store will not serve (corrupt). */
type RowDecoder = (row: (string | false)[]) => AgentSession | undefined;
type ScriptReply = [string, string, number, number, number];

/**
 * Search and count over the Redis search indexes (see `scripts/search-sessions.ts`). A page
 * covered by its indexes is one round trip; checks the indexes do not cover (a mode set, a second
 * metadata key, the other time field) cost further round trips of at most `scanBudget`
 * entries each.
 */
export class RedisSearch {
  constructor(
    private readonly scripts: SessionScripts,
    private readonly keys: SessionKeys,
    private readonly indexedMetadataKeys: readonly string[],
    private readonly run: Runner,
    private readonly decode: RowDecoder,
    private readonly scanBudget = DEFAULT_SEARCH_SCAN_BUDGET,
  ) {}

  async search(query: StoreSearchQuery): Promise<StoreSearchResult> {
    const plan = planSearch(query.filter, query.sortBy, this.indexedMetadataKeys, query.after, query.sortOrder);
    if (plan.empty) return { sessions: [], hasMore: false, total: 0 };
    const desc = query.sortOrder === 'desc';
    let start = desc ? upperBound(plan.to) : lowerBound(plan.from);
    const end = desc ? lowerBound(plan.from) : upperBound(plan.to);
    const rows: (string | false)[][] = [];
    let total = -1;
    for (;;) {
      const wanted = query.limit + 1 - rows.length;
      const withTotal = total === -1 && !plan.checks && !query.skipTotal;
      const [page, last, exhausted, pageTotal] = await this.call(plan, query.sortOrder, start, end, wanted, withTotal);
      if (withTotal) total = pageTotal;
      rows.push(...(JSON.parse(page) as (string | false)[][]));
      if (exhausted === 1 || rows.length > query.limit) break;
      start = `(${last}`;
    }
    if (total === -1 && !query.skipTotal) total = await this.countChecked(plan);
    return {
      sessions: rows.slice(0, query.limit).flatMap((row) => this.decode(row) ?? []),
      hasMore: rows.length > query.limit,
      total,
    };
  }

  async count(filter: StoreSearchFilter): Promise<number> {
    const plan = planSearch(filter, countSortField(filter), this.indexedMetadataKeys);
    if (plan.empty) return 0;
    if (!plan.checks) {
      const reply = await this.call(plan, 'asc', '-', '-', 1, true);
      return reply[3];
    }
    return this.countChecked(plan);
  }

  /** Counts by walking the filter's range, `scanBudget` entries per round trip. */
  private async countChecked(plan: SearchPlan): Promise<number> {
    let start = lowerBound(plan.lower);
    const end = upperBound(plan.upper);
    let total = 0;
    for (;;) {
      const [, last, exhausted, , matched] = await this.call(plan, 'asc', start, end, 0, false);
      total += matched;
      if (exhausted === 1) return total;
      start = `(${last}`;
    }
  }

  private call(plan: SearchPlan, order: 'asc' | 'desc', start: string, end: string, wanted: number, withTotal: boolean): Promise<ScriptReply> {
    const indexes = plan.indexes.map((name) => this.keys.searchIndex(name));
    const totalRange = withTotal ? [lowerBound(plan.lower), upperBound(plan.upper)] : ['', ''];
    return this.run(
      () =>
        this.scripts.agentSessionsSearch(
          String(indexes.length),
          ...indexes,
          this.keys.sessionBase,
          order,
          start,
          end,
          String(wanted),
          String(this.scanBudget),
          plan.checks ? JSON.stringify(plan.checks) : '',
          ...totalRange,
        ) as Promise<ScriptReply>,
    );
  }
}

function lowerBound(bound: EntryBound | undefined): string {
  return bound ? `${bound.inclusive ? '[' : '('}${bound.entry}` : '-';
}

function upperBound(bound: EntryBound | undefined): string {
  return bound ? `${bound.inclusive ? '[' : '('}${bound.entry}` : '+';
}
