import { SESSION_COLUMNS, sessionReadColumns } from './session-row.js';

// The store's SQL, one statement per call. Every write locks the session row first
// (`current ... FOR UPDATE`), so its conditions (expected version, allowed statuses, run holder)
// are judged on the latest committed row, and puts them in the WHERE of its UPDATE or DELETE:
// a condition that fails changes nothing. `updated_at` becomes max(now, previous + 1 ms), so it
// strictly increases per session. The change event is written by the `session_changed` trigger
// in the same transaction (the plain insert writes its own). Each write answers with the row before (`current`) and, when
// it changed something, after (`changed`), both as `to_jsonb`, from which the store tells the
// outcome. Times a lease is judged by come from the database's clock (`clock_timestamp()`).

const NEXT_UPDATED_AT = `greatest($NOW::timestamptz, t.updated_at + interval '1 millisecond')`;
const LOCK_CURRENT = (s: string) => `current AS (SELECT * FROM ${s}.sessions WHERE id = $1 FOR UPDATE)`;
const ANSWER = `SELECT to_jsonb(c) AS current, (SELECT to_jsonb(changed) FROM changed) AS changed FROM current c`;
const LEASE_UNTIL = (ms: string) => `clock_timestamp() + ${ms}::double precision * interval '1 millisecond'`;

/** The SQL text of every statement for the (quoted) schema `s`. */
export function sessionStatements(s: string) {
  return {
    /**
     * $1..$10: SESSION_COLUMNS. `inserted`: 1, or 0 when the id exists. Writes the `created` event
     * and the counters as the `session_changed` trigger would, in this statement, and tells the
     * trigger so (`agent_sessions.change_recorded`, set before the row goes in): one statement
     * with no trigger call is cheaper than a row trigger's queueing and plpgsql. The counters go
     * before the key counters (the second reads the first's output), the trigger's lock order.
     */
    insert: `WITH inserted AS (
  INSERT INTO ${s}.sessions (${SESSION_COLUMNS})
  SELECT $1::text, $2::text, $3::text, $4::text, $5::integer, $6::text, $7::timestamptz, $8::timestamptz, $9::jsonb, $10::integer
  WHERE set_config('agent_sessions.change_recorded', 'on', true) = 'on'
  ON CONFLICT (id) DO NOTHING
  RETURNING *
),
event AS (
  INSERT INTO ${s}.session_events (xid, type, previous_status, session)
  SELECT i.event_xid, 'created', NULL, to_jsonb(i) FROM inserted i
),
counted AS (
  INSERT INTO ${s}.session_counts AS c (db_connection_id, status, shard, n)
  SELECT x.db, i.status, pg_backend_pid() % 16, 1 FROM inserted i, LATERAL (VALUES (i.db_connection_id), ('')) x (db)
  ORDER BY x.db
  ON CONFLICT (db_connection_id, status, shard) DO UPDATE SET n = c.n + excluded.n
  RETURNING 1
),
key_counted AS (
  INSERT INTO ${s}.session_key_counts AS c (key, value, db_connection_id, status, shard, n)
  SELECT k.key, i.metadata -> k.key, x.db, i.status, pg_backend_pid() % 16, 1
  FROM (SELECT count(*) FROM counted) after_counted, inserted i, ${s}.search_keys k, LATERAL (VALUES (i.db_connection_id), ('')) x (db)
  WHERE jsonb_typeof(i.metadata -> k.key) IN ('string', 'number', 'boolean')
  ORDER BY k.key, i.metadata -> k.key, x.db
  ON CONFLICT (key, value, db_connection_id, status, shard) DO UPDATE SET n = c.n + excluded.n
)
SELECT count(*)::integer AS inserted FROM inserted`,

    /**
     * $1..$10: SESSION_COLUMNS, $11 key, $12 record, $13 ttl ms. Claims the key (new, or expired
     * by the database's clock) unless the id is taken, and inserts the session only with the
     * claim, in one statement: of concurrent calls with one key, the others wait on the key's row
     * and then find it claimed. `inserted`: the session went in; `claimed`: the key was taken;
     * `record`: the unexpired record of an earlier claim.
     */
    insertOnce: `WITH claim AS (
  INSERT INTO ${s}.idempotency_keys AS k (key, record, expires_at)
  SELECT $11::text, $12::jsonb, clock_timestamp() + $13::double precision * interval '1 millisecond'
  WHERE NOT EXISTS (SELECT 1 FROM ${s}.sessions WHERE id = $1::text)
  ON CONFLICT (key) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at
    WHERE k.expires_at <= clock_timestamp()
  RETURNING k.key
),
inserted AS (
  INSERT INTO ${s}.sessions (${SESSION_COLUMNS})
  SELECT $1::text, $2::text, $3::text, $4::text, $5::integer, $6::text, $7::timestamptz, $8::timestamptz, $9::jsonb, $10::integer
  WHERE EXISTS (SELECT 1 FROM claim)
  ON CONFLICT (id) DO NOTHING
  RETURNING id
)
SELECT EXISTS (SELECT 1 FROM inserted) AS inserted, EXISTS (SELECT 1 FROM claim) AS claimed,
  (SELECT record FROM ${s}.idempotency_keys WHERE key = $11 AND expires_at > clock_timestamp()) AS record`,

    /** $1 key, $2 record: gives up a claim whose insert lost the id to a concurrent insert. */
    releaseClaim: `DELETE FROM ${s}.idempotency_keys WHERE key = $1 AND record = $2::jsonb`,

    /** $1 key. Its unexpired record. */
    idempotencyRecord: `SELECT record FROM ${s}.idempotency_keys WHERE key = $1 AND expires_at > clock_timestamp()`,

    /** $1 batch size. Deletes up to that many expired keys, oldest first. */
    trimIdempotencyKeys: `DELETE FROM ${s}.idempotency_keys WHERE key IN (
  SELECT key FROM ${s}.idempotency_keys WHERE expires_at <= clock_timestamp() ORDER BY expires_at LIMIT $1)`,

    /** $1 id. */
    get: `SELECT ${sessionReadColumns('t')} FROM ${s}.sessions t WHERE id = $1`,

    /**
     * $1 id, $2 expected version or null, $3 statuses it may move from or null, $4 now,
     * $5 whether to set the title, $6 title, $7 new status or null, $8 new metadata or null,
     * $9 lease ms for a session running with no run (with $7 'running') or null.
     * Changes the row only when a field really differs. With $9, once the conditions hold, the
     * session gets a holder-less lease (token '') by the database's clock, or has it renewed; a
     * run's lease is left alone. No version bump for the lease alone.
     */
    update: `WITH ${LOCK_CURRENT(s)},
changed AS (
  UPDATE ${s}.sessions t SET
    title = CASE WHEN $5::boolean THEN $6::text ELSE t.title END,
    status = coalesce($7::text, t.status),
    metadata = coalesce($8::jsonb, t.metadata),
    version = t.version + 1,
    updated_at = ${NEXT_UPDATED_AT.replace('$NOW', '$4')}
  FROM current c
  WHERE t.id = c.id
    AND ($2::integer IS NULL OR c.version = $2::integer)
    AND ($3::text[] IS NULL OR $7::text IS NULL OR c.status = ANY ($3::text[]))
    AND (($5::boolean AND c.title IS DISTINCT FROM $6::text)
      OR ($7::text IS NOT NULL AND c.status <> $7::text)
      OR ($8::jsonb IS NOT NULL AND c.metadata <> $8::jsonb))
  RETURNING t.*
),
lease AS (
  INSERT INTO ${s}.session_runs (session_id, token, lease_until)
  SELECT c.id, '', ${LEASE_UNTIL('$9')} FROM current c
  WHERE $9::double precision IS NOT NULL AND $7::text = 'running'
    AND ($2::integer IS NULL OR c.version = $2::integer)
    AND ($3::text[] IS NULL OR c.status = ANY ($3::text[]))
  ON CONFLICT (session_id) DO UPDATE SET lease_until = excluded.lease_until WHERE ${s}.session_runs.token = ''
)
${ANSWER}`,

    /**
     * $1 id, $2 expected version or null, $3 reason of the `deleted` event or null. `removed`
     * tells whether it went. The reason reaches the events trigger through a setting local to
     * this statement's transaction, set while the row is locked (before the DELETE runs).
     */
    delete: `WITH current AS (
  SELECT * FROM ${s}.sessions
  WHERE id = $1 AND set_config('agent_sessions.delete_reason', coalesce($3::text, ''), true) IS NOT NULL
  FOR UPDATE
),
removed AS (
  DELETE FROM ${s}.sessions t USING current c
  WHERE t.id = c.id AND ($2::integer IS NULL OR c.version = $2::integer)
  RETURNING t.id
)
SELECT to_jsonb(c) AS current, EXISTS (SELECT 1 FROM removed) AS removed FROM current c`,

    /** $1 id, $2 run token, $3 lease length in ms, $4 now. active -> running, with the run's lease. */
    startRun: `WITH ${LOCK_CURRENT(s)},
changed AS (
  UPDATE ${s}.sessions t SET status = 'running', version = t.version + 1, updated_at = ${NEXT_UPDATED_AT.replace('$NOW', '$4')}
  FROM current c
  WHERE t.id = c.id AND c.status = 'active'
  RETURNING t.*
),
run AS (
  INSERT INTO ${s}.session_runs (session_id, token, lease_until)
  SELECT id, $2::text, ${LEASE_UNTIL('$3')} FROM changed
  ON CONFLICT (session_id) DO UPDATE SET token = excluded.token, lease_until = excluded.lease_until
)
${ANSWER}`,

    /** $1 id, $2 run token, $3 lease length in ms. One row affected: renewed. */
    renewRun: `UPDATE ${s}.session_runs SET lease_until = ${LEASE_UNTIL('$3')} WHERE session_id = $1 AND token = $2`,

    /**
     * $1 id, $2 expected version or null, $3 run token or null, $4 true for the reaper (the lease
     * must have expired), $5 new status, $6 new metadata or null, $7 now. `holds`: whether the
     * caller held the run. The trigger drops the run as the session leaves `running`.
     */
    endRun: `WITH ${LOCK_CURRENT(s)},
holder AS (
  SELECT r.session_id FROM ${s}.session_runs r
  WHERE r.session_id = $1 AND (r.token = $3::text OR ($4::boolean AND r.lease_until <= clock_timestamp()))
),
changed AS (
  UPDATE ${s}.sessions t SET
    status = $5::text,
    metadata = coalesce($6::jsonb, t.metadata),
    version = t.version + 1,
    updated_at = ${NEXT_UPDATED_AT.replace('$NOW', '$7')}
  FROM current c
  WHERE t.id = c.id AND c.status = 'running' AND EXISTS (SELECT 1 FROM holder)
    AND ($2::integer IS NULL OR c.version = $2::integer)
  RETURNING t.*
)
SELECT to_jsonb(c) AS current, (SELECT to_jsonb(changed) FROM changed) AS changed, EXISTS (SELECT 1 FROM holder) AS holds
FROM current c`,

    /** $1 limit. Sessions whose lease ran out by the database's clock, oldest lease first. */
    expiredRuns: `SELECT session_id FROM ${s}.session_runs WHERE lease_until <= clock_timestamp() ORDER BY lease_until LIMIT $1`,

    ping: 'SELECT 1',

    /** The database's clock in whole ms since the epoch. */
    now: `SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now`,
  };
}

/** The statements by name. */
export type SessionStatements = ReturnType<typeof sessionStatements>;
