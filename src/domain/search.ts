import type { AgentSession, SessionMode, SessionStatus } from './session.js';

/** A metadata value a search may match: top-level, exact, compared as JSON (so `1` is not `"1"`). */
export type MetadataFilterValue = string | number | boolean;

/** The fields a search or count may filter on; every one given must match. */
export interface SessionSearchFilter {
  dbConnectionId?: string;
  /** One status, or any of several. */
  status?: SessionStatus | readonly SessionStatus[];
  /** One mode, or any of several. */
  mode?: SessionMode | readonly SessionMode[];
  /** Top-level metadata key -> exact value; only the store's indexed keys may be used. */
  metadata?: Readonly<Record<string, MetadataFilterValue>>;
  /** ISO 8601 timestamps (or Dates); every bound is exclusive. */
  createdAfter?: string | Date;
  createdBefore?: string | Date;
  updatedAfter?: string | Date;
  updatedBefore?: string | Date;
}

/** The session fields a search can sort by. */
export const SEARCH_SORT_FIELDS = ['createdAt', 'updatedAt'] as const;
export type SearchSortField = (typeof SEARCH_SORT_FIELDS)[number];
export const SEARCH_SORT_ORDERS = ['desc', 'asc'] as const;
export type SearchSortOrder = (typeof SEARCH_SORT_ORDERS)[number];

/** The session fields `select` may name. */
export const SESSION_FIELD_NAMES = [
  'id',
  'dbConnectionId',
  'status',
  'mode',
  'recursionLimit',
  'title',
  'createdAt',
  'updatedAt',
  'metadata',
  'version',
] as const satisfies readonly (keyof AgentSession)[];
export type SessionFieldName = (typeof SESSION_FIELD_NAMES)[number];

/** A search: a filter, an order, and a page of it. */
export interface SessionSearchQuery<Field extends SessionFieldName = SessionFieldName> extends SessionSearchFilter {
  /** Default `createdAt`. */
  sortBy?: SearchSortField;
  /** Default `desc`; ties are broken by `id` in the same direction. */
  sortOrder?: SearchSortOrder;
  /** 1-1000, default 100. */
  limit?: number;
  /** `nextCursor` of the previous page of the same filter and sort. */
  cursor?: string;
  /** Fields to return; `id` always comes back. Default: every field. */
  select?: readonly Field[];
}

/** What `prune` deletes: sessions matching the filter and, with `olderThan`, last changed before now minus it. */
export interface SessionPruneInput extends SessionSearchFilter {
  /** A duration such as `30d`, `12h`, `15m`, `90s`, applied to `updatedAt`. */
  olderThan?: string;
}

/** One page of a search. */
export interface SessionSearchPage<Session = AgentSession> {
  sessions: Session[];
  /** Opaque; pass it as `cursor` to get the next page. `null` on the last page. */
  nextCursor: string | null;
  /** The exact number of sessions matching the filter (all pages). */
  total: number;
}

/** A validated filter as stores get it: sets instead of single values, times in ms (exclusive). */
export interface StoreSearchFilter {
  dbConnectionId?: string;
  /** Any of these; absent means any status. Never empty. */
  statuses?: readonly SessionStatus[];
  /** Any of these; absent means any mode. Never empty. */
  modes?: readonly SessionMode[];
  /** Indexed top-level keys -> exact value. */
  metadata?: Readonly<Record<string, MetadataFilterValue>>;
  createdAfter?: number;
  createdBefore?: number;
  updatedAfter?: number;
  updatedBefore?: number;
}

/** Where a cursor walk stands: strictly after this session in the sort order. */
export interface SearchPosition {
  /** The sort field's value of the last session returned, in ms. */
  at: number;
  id: string;
}

/** A search as stores get it, validated and defaulted. */
export interface StoreSearchQuery {
  filter: StoreSearchFilter;
  sortBy: SearchSortField;
  sortOrder: SearchSortOrder;
  limit: number;
  after?: SearchPosition;
  /** When true the store may skip counting and answer `total: -1` (bulk deletions walk without it). */
  skipTotal?: boolean;
}

/** A page as stores return it. */
export interface StoreSearchResult {
  sessions: AgentSession[];
  /** True when more sessions match after the last one returned. */
  hasMore: boolean;
  /** Exact number of sessions matching the filter, ignoring `after` and `limit`. */
  total: number;
}

/** The naive meaning of a filter: whether `session` matches it. Stores must agree with this. */
export function matchesSearchFilter(session: AgentSession, filter: StoreSearchFilter): boolean {
  if (filter.dbConnectionId !== undefined && session.dbConnectionId !== filter.dbConnectionId) return false;
  if (filter.statuses && !filter.statuses.includes(session.status)) return false;
  if (filter.modes && !filter.modes.includes(session.mode)) return false;
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    if (!Object.hasOwn(session.metadata, key) || !sameMetadataValue(session.metadata[key], value)) return false;
  }
  return inRange(Date.parse(session.createdAt), filter.createdAfter, filter.createdBefore) &&
    inRange(Date.parse(session.updatedAt), filter.updatedAfter, filter.updatedBefore);
}

function sameMetadataValue(stored: unknown, wanted: MetadataFilterValue): boolean {
  return typeof stored === typeof wanted && stored === wanted;
}

function inRange(at: number, after: number | undefined, before: number | undefined): boolean {
  return (after === undefined || at > after) && (before === undefined || at < before);
}

/** The sort value of a session in ms. */
export function sortValueOf(session: AgentSession, sortBy: SearchSortField): number {
  return Date.parse(sortBy === 'createdAt' ? session.createdAt : session.updatedAt);
}

/** The naive order of a search: by the sort field, then by id, both in `order`. */
export function compareForSearch(sortBy: SearchSortField, order: SearchSortOrder) {
  const sign = order === 'asc' ? 1 : -1;
  return (a: AgentSession, b: AgentSession): number => {
    const byTime = sortValueOf(a, sortBy) - sortValueOf(b, sortBy);
    if (byTime !== 0) return sign * byTime;
    return a.id === b.id ? 0 : sign * (a.id < b.id ? -1 : 1);
  };
}
