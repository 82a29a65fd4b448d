import { createHash } from 'node:crypto';
import type { AgentSession, SessionMetadata } from './session.js';
import type { MetadataFilterValue, SearchSortField, StoreSearchFilter, StoreSearchQuery } from './search.js';

// The search index layout both built-in stores share, so they answer alike and a reader learns
// it once. Each session has an entry in one ordered index per combination of:
//   sort field (created / updated) x status (any / its own) x metadata (none / one indexed key=value)
//   x db connection (any / its own)
// i.e. 8 x (1 + indexed keys it has) entries. An entry is `<15-digit ms>:<id>`, so plain byte
// order is (time, id) order and a keyset cursor is a seek. A search reads one index per wanted
// status (merging them) and checks the few conditions its index does not cover.

/** Characters an indexed metadata key may have: they become part of index names. */
const INDEXED_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks the host's indexed metadata keys (a store option); throws a TypeError naming a bad one. */
export function checkIndexedMetadataKeys(keys: readonly string[] | undefined): readonly string[] {
  const list = [...new Set(keys ?? [])];
  for (const key of list) {
    if (!INDEXED_KEY.test(key)) {
      throw new TypeError(`An indexed metadata key must be 1-64 of A-Z a-z 0-9 _ . -, got '${key}'.`);
    }
  }
  return Object.freeze(list);
}

/**
 * The token of one indexed key=value: the key and a digest of the value's JSON, so any value
 * (with `:` or spaces or megabytes) makes a short, safe index name and `1` differs from `"1"`.
 */
export function metadataToken(key: string, value: MetadataFilterValue): string {
  return `${key}=${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22)}`;
}

/** Tokens of the indexed keys `metadata` has with a string, number or boolean value. */
export function metadataTokensOf(metadata: SessionMetadata, indexedKeys: readonly string[]): string[] {
  const tokens: string[] = [];
  for (const key of indexedKeys) {
    const value = Object.hasOwn(metadata, key) ? metadata[key] : undefined;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      tokens.push(metadataToken(key, value));
    }
  }
  return tokens;
}

const TIME_DIGITS = 15;

/** An index entry: the time zero-padded to fixed width, then the id. */
export function searchEntry(ms: number, id: string): string {
  return `${String(ms).padStart(TIME_DIGITS, '0')}:${id}`;
}

/** The id inside an index entry. */
export function idOfSearchEntry(entry: string): string {
  return entry.slice(TIME_DIGITS + 1);
}

/** Short name of a sort field inside index names. */
export function sortCode(sortBy: SearchSortField): 'c' | 'u' {
  return sortBy === 'createdAt' ? 'c' : 'u';
}

/**
 * The name of one index: `<sort>:<status>:<token>:<db>`, any part '' for "any". The db id comes
 * last and nothing before it contains ':', so names cannot collide.
 */
export function searchIndexName(sort: 'c' | 'u', status: string, token: string, dbConnectionId: string): string {
  return `${sort}:${status}:${token}:${dbConnectionId}`;
}

/** Every (index name, entry) pair a session has. */
export function searchEntriesOf(session: AgentSession, tokens: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  const created = searchEntry(Date.parse(session.createdAt), session.id);
  // Until its first change a session's two entries are equal: one string serves both.
  const updated = session.updatedAt === session.createdAt ? created : searchEntry(Date.parse(session.updatedAt), session.id);
  for (const sort of ['c', 'u'] as const) {
    const entry = sort === 'c' ? created : updated;
    for (const status of ['', session.status]) {
      for (const token of ['', ...tokens]) {
        for (const db of ['', session.dbConnectionId]) pairs.push([searchIndexName(sort, status, token, db), entry]);
      }
    }
  }
  return pairs;
}

/** A bound of an entry range: entries after (or at, when inclusive) `entry`. */
export interface EntryBound {
  entry: string;
  inclusive: boolean;
}

/** What a store does for a search: which indexes to read, in which range, and what to check. */
export interface SearchPlan {
  /** One index per wanted status, or one for any status. */
  indexes: string[];
  /** The range of the filter on the sort field (ignoring the cursor): for `total`. */
  lower?: EntryBound;
  upper?: EntryBound;
  /** The range still to read: the filter's range cut at the cursor. */
  from?: EntryBound;
  to?: EntryBound;
  /** Conditions the indexes do not cover; `undefined` when the indexes cover the whole filter. */
  checks?: SearchChecks;
  /** True when the filter cannot match anything (a `before` bound at or before 1970). */
  empty: boolean;
}

/** Conditions checked on each candidate session. */
export interface SearchChecks {
  modes?: readonly string[];
  /** Metadata tokens the session must all have. */
  tokens?: string[];
  created?: [number | null, number | null];
  updated?: [number | null, number | null];
}

/**
 * Plans a search (or a count, with `after` and order left out). The driving index covers the
 * db connection, the status set, the first indexed metadata key of the filter (in the host's
 * declared order) and the time range of the sort field; anything else becomes a check.
 */
export function planSearch(
  filter: StoreSearchFilter,
  sortBy: SearchSortField,
  indexedKeys: readonly string[],
  after?: StoreSearchQuery['after'],
  order: StoreSearchQuery['sortOrder'] = 'desc',
): SearchPlan {
  const metadataKeys = indexedKeys.filter((key) => filter.metadata && Object.hasOwn(filter.metadata, key));
  const tokens = metadataKeys.map((key) => metadataToken(key, (filter.metadata as Record<string, MetadataFilterValue>)[key]));
  const sort = sortCode(sortBy);
  const statuses = filter.statuses ? [...new Set(filter.statuses)] : [''];
  const indexes = statuses.map((status) => searchIndexName(sort, status, tokens[0] ?? '', filter.dbConnectionId ?? ''));

  const [rangeAfter, rangeBefore] =
    sortBy === 'createdAt' ? [filter.createdAfter, filter.createdBefore] : [filter.updatedAfter, filter.updatedBefore];
  const otherRange: [number | null, number | null] | undefined =
    sortBy === 'createdAt'
      ? rangeOf(filter.updatedAfter, filter.updatedBefore)
      : rangeOf(filter.createdAfter, filter.createdBefore);
  const checks: SearchChecks = {};
  if (filter.modes) checks.modes = filter.modes;
  if (tokens.length > 1) checks.tokens = tokens.slice(1);
  if (otherRange) checks[sortBy === 'createdAt' ? 'updated' : 'created'] = otherRange;

  const empty = rangeBefore !== undefined && rangeBefore <= 0;
  // After T: every entry of a later ms; ';' follows ':' so `T;` sorts after every `T:<id>`.
  const lower = rangeAfter !== undefined && rangeAfter >= 0 ? { entry: `${searchEntry(rangeAfter, '').slice(0, -1)};`, inclusive: true } : undefined;
  // Before T: every entry of an earlier ms; `T:` sorts before every `T:<id>`.
  const upper = rangeBefore !== undefined && !empty ? { entry: searchEntry(rangeBefore, ''), inclusive: false } : undefined;
  let from = lower;
  let to = upper;
  if (after) {
    const cut = { entry: searchEntry(after.at, after.id), inclusive: false };
    if (order === 'asc') from = laterLower(from, cut);
    else to = earlierUpper(to, cut);
  }
  return { indexes, lower, upper, from, to, checks: Object.keys(checks).length > 0 ? checks : undefined, empty };
}

function rangeOf(after: number | undefined, before: number | undefined): [number | null, number | null] | undefined {
  return after === undefined && before === undefined ? undefined : [after ?? null, before ?? null];
}

function laterLower(a: EntryBound | undefined, b: EntryBound): EntryBound {
  if (!a || b.entry > a.entry || (b.entry === a.entry && !b.inclusive)) return b;
  return a;
}

function earlierUpper(a: EntryBound | undefined, b: EntryBound): EntryBound {
  if (!a || b.entry < a.entry || (b.entry === a.entry && !b.inclusive)) return b;
  return a;
}

/** Whether a candidate session passes the checks its index does not cover. */
export function passesChecks(session: AgentSession, tokens: readonly string[], checks: SearchChecks | undefined): boolean {
  if (!checks) return true;
  if (checks.modes && !checks.modes.includes(session.mode)) return false;
  if (checks.tokens && !checks.tokens.every((token) => tokens.includes(token))) return false;
  if (checks.created && !within(Date.parse(session.createdAt), checks.created)) return false;
  if (checks.updated && !within(Date.parse(session.updatedAt), checks.updated)) return false;
  return true;
}

function within(at: number, [after, before]: [number | null, number | null]): boolean {
  return (after === null || at > after) && (before === null || at < before);
}

/** A count has no order; it reads the index of whichever time field the filter bounds. */
export function countSortField(filter: StoreSearchFilter): SearchSortField {
  const createdBounded = filter.createdAfter !== undefined || filter.createdBefore !== undefined;
  const updatedBounded = filter.updatedAfter !== undefined || filter.updatedBefore !== undefined;
  return updatedBounded && !createdBounded ? 'updatedAt' : 'createdAt';
}
