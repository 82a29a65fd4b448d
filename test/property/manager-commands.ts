import fc from 'fast-check';
import { SESSION_MODES, SESSION_STATUSES, type SessionMode, type SessionStatus } from '../../src/index.js';
import type { IfVersionChoice } from './session-model.js';

// Random manager calls. Sessions are named by `pick` (an index into every id issued so far,
// deleted ones included) or are ids that never existed, so calls hit live, deleted and unknown
// sessions alike. Values come from small pools so filters and no-op updates happen often.

/** Which session a call targets. */
export type SessionRef = { pick: number } | 'never-created';

/** An update body; `invalid` ones must be refused with a validation error and change nothing. */
export type UpdateBody = Record<string, unknown>;

export type ManagerCommand =
  | {
      call: 'create';
      dbConnectionId: string;
      title?: string | null;
      metadata?: Record<string, unknown> | null;
      mode?: SessionMode;
      recursionLimit?: number;
      advanceMs: number;
    }
  | { call: 'get'; ref: SessionRef }
  | { call: 'list'; dbConnectionId?: string; status?: SessionStatus; limit: number; offset: number }
  | { call: 'update'; ref: SessionRef; body: UpdateBody; valid: boolean; ifVersion: IfVersionChoice; advanceMs: number }
  | { call: 'pause' | 'resume' | 'delete'; ref: SessionRef; ifVersion: IfVersionChoice; advanceMs: number };

const DB_IDS = ['db-a', 'db-b', 'db-c'];
// Canonical key order on purpose: whether reordered keys are a "real change" is not specified.
const METADATA = [{}, { team: 'sales' }, { team: 'ops', tags: ['q3', 1, null] }, { nested: { deep: { x: true } } }];
const TITLES = ['Sales', 'Ops', '', 'ünïcødé ✓'];

const ref: fc.Arbitrary<SessionRef> = fc.oneof(
  { weight: 9, arbitrary: fc.nat({ max: 50 }).map((pick) => ({ pick })) },
  { weight: 1, arbitrary: fc.constant('never-created' as const) },
);
const ifVersion = fc.constantFrom<IfVersionChoice>('none', 'none', 'current', 'stale');
const advanceMs = fc.constantFrom(0, 0, 1, 7);
const title = fc.option(fc.constantFrom(...TITLES), { nil: null });
const metadata = fc.option(fc.constantFrom(...METADATA), { nil: null });

const validUpdate = fc.record({ title, status: fc.constantFrom(...SESSION_STATUSES), metadata }, { requiredKeys: [] });
const invalidUpdate = fc.oneof(
  fc.constant({ status: 'sleeping' }),
  fc.constant({ title: 'x'.repeat(257) }),
  fc.constant({ mode: 'query' }),
  fc.constant({ metadata: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown> }),
  fc.constant({ metadata: [1, 2] }),
);

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const createCommand = fc.record(
  {
    call: fc.constant('create' as const),
    dbConnectionId: fc.constantFrom(...DB_IDS),
    title: optional(title),
    metadata: optional(metadata),
    mode: optional(fc.constantFrom(...SESSION_MODES)),
    recursionLimit: optional(fc.integer({ min: 1, max: 500 })),
    advanceMs,
  },
  { requiredKeys: ['call', 'dbConnectionId', 'advanceMs'] },
);

const listCommand = fc.record(
  {
    call: fc.constant('list' as const),
    dbConnectionId: optional(fc.constantFrom(...DB_IDS, 'db-none')),
    status: optional(fc.constantFrom(...SESSION_STATUSES)),
    limit: fc.integer({ min: 1, max: 4 }),
    offset: fc.integer({ min: 0, max: 5 }),
  },
  { requiredKeys: ['call', 'limit', 'offset'] },
);

/** One random manager call. */
export const managerCommand: fc.Arbitrary<ManagerCommand> = fc.oneof(
  { weight: 4, arbitrary: createCommand },
  { weight: 2, arbitrary: fc.record({ call: fc.constant('get' as const), ref }) },
  { weight: 2, arbitrary: listCommand },
  { weight: 4, arbitrary: fc.record({ call: fc.constant('update' as const), ref, body: validUpdate, valid: fc.constant(true), ifVersion, advanceMs }) },
  { weight: 1, arbitrary: fc.record({ call: fc.constant('update' as const), ref, body: invalidUpdate, valid: fc.constant(false), ifVersion, advanceMs }) },
  { weight: 3, arbitrary: fc.record({ call: fc.constantFrom('pause' as const, 'resume' as const, 'delete' as const), ref, ifVersion, advanceMs }) },
);
