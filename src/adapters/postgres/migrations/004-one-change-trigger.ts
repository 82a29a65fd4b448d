import type { Migration } from './index.js';

/**
 * One row trigger for every change instead of three, and no NOTIFY inside the write.
 *
 * - `session_changed` does what `record_session_event`, `count_session` and `count_session_key`
 *   did, in one call: PostgreSQL queues, refetches and runs each AFTER ROW trigger on its own, so
 *   three of them cost about three times one. The key counters are touched only when some key is
 *   kept (`search_keys` not empty).
 * - Counter shards are picked by the connection (`pg_backend_pid() % 16`) rather than at random:
 *   a pool's connections, each running one write at a time, mostly keep to shards of their own,
 *   so concurrent writes of one key rarely wait for one another's counter row.
 * - The store's plain insert writes its event and counters in its own statement (see
 *   statements.ts) and skips the trigger through the setting `agent_sessions.change_recorded`;
 *   every other write, and any other writer, still goes through the trigger.
 * - No `pg_notify` in the write's transaction: PostgreSQL commits transactions that sent a NOTIFY
 *   one at a time under a database-wide lock. The writing store announces its commits instead,
 *   with one NOTIFY per burst of writes after they commit (see change-announcer.ts), and wakes its
 *   own reader directly; every reader also polls, so an announcement that never comes (the writer
 *   died right after committing) delays events, never loses them.
 */
export const ONE_CHANGE_TRIGGER: Migration = {
  version: 4,
  name: 'one change trigger, NOTIFY after commit',
  sql: (s) => `
DROP TRIGGER record_session_event ON ${s}.sessions;
DROP TRIGGER count_session ON ${s}.sessions;
DROP TRIGGER count_session_key ON ${s}.sessions;
DROP FUNCTION ${s}.record_session_event();
DROP FUNCTION ${s}.count_session();
DROP FUNCTION ${s}.count_session_key();

CREATE FUNCTION ${s}.session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  picked smallint := pg_backend_pid() % 16;
BEGIN
  -- The change event, in this transaction.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ${s}.session_events (xid, type, previous_status, session) VALUES (NEW.event_xid, 'created', NULL, to_jsonb(NEW));
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO ${s}.session_events (xid, type, previous_status, session)
      VALUES (NEW.event_xid, CASE WHEN NEW.status <> OLD.status THEN 'transitioned' ELSE 'updated' END, OLD.status, to_jsonb(NEW));
    IF OLD.status = 'running' AND NEW.status <> 'running' THEN
      DELETE FROM ${s}.session_runs WHERE session_id = NEW.id;
    END IF;
  ELSE
    INSERT INTO ${s}.session_events (xid, type, previous_status, session, reason)
      VALUES (greatest(pg_current_xact_id(), OLD.event_xid), 'deleted', OLD.status, to_jsonb(OLD),
        nullif(current_setting('agent_sessions.delete_reason', true), ''));
  END IF;

  -- Exact totals per (db connection, status). One statement, rows in key order: writers take
  -- counter locks in the same order, so two can wait for each other but never deadlock.
  IF TG_OP <> 'UPDATE' OR NEW.status <> OLD.status THEN
    INSERT INTO ${s}.session_counts AS c (db_connection_id, status, shard, n)
    SELECT d.db, d.status, picked, d.delta FROM (
      SELECT NEW.db_connection_id AS db, NEW.status AS status, 1 AS delta WHERE TG_OP <> 'DELETE'
      UNION ALL SELECT '', NEW.status, 1 WHERE TG_OP <> 'DELETE'
      UNION ALL SELECT OLD.db_connection_id, OLD.status, -1 WHERE TG_OP <> 'INSERT'
      UNION ALL SELECT '', OLD.status, -1 WHERE TG_OP <> 'INSERT'
    ) d
    ORDER BY d.db, d.status
    ON CONFLICT (db_connection_id, status, shard) DO UPDATE SET n = c.n + excluded.n;
  END IF;

  -- Exact totals per indexed metadata key=value, after the counters above (same lock order as before).
  IF (TG_OP <> 'UPDATE' OR NEW.status <> OLD.status OR NEW.metadata <> OLD.metadata)
    AND EXISTS (SELECT 1 FROM ${s}.search_keys) THEN
    INSERT INTO ${s}.session_key_counts AS c (key, value, db_connection_id, status, shard, n)
    SELECT d.key, d.value, d.db, d.status, picked, sum(d.delta) FROM (
      SELECT k.key, NEW.metadata -> k.key AS value, x.db, NEW.status AS status, 1 AS delta
        FROM ${s}.search_keys k, (VALUES (NEW.db_connection_id), ('')) x (db)
        WHERE TG_OP <> 'DELETE' AND jsonb_typeof(NEW.metadata -> k.key) IN ('string', 'number', 'boolean')
      UNION ALL
      SELECT k.key, OLD.metadata -> k.key, x.db, OLD.status, -1
        FROM ${s}.search_keys k, (VALUES (OLD.db_connection_id), ('')) x (db)
        WHERE TG_OP <> 'INSERT' AND jsonb_typeof(OLD.metadata -> k.key) IN ('string', 'number', 'boolean')
    ) d
    GROUP BY d.key, d.value, d.db, d.status HAVING sum(d.delta) <> 0
    ORDER BY d.key, d.value, d.db, d.status
    ON CONFLICT (key, value, db_connection_id, status, shard) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$;
-- Skipped by a statement that records its change itself (the store's plain insert) and says so
-- in this transaction-local setting: the event is then never queued, let alone run.
CREATE TRIGGER session_changed AFTER INSERT OR UPDATE OR DELETE ON ${s}.sessions
  FOR EACH ROW WHEN (current_setting('agent_sessions.change_recorded', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION ${s}.session_changed();
`,
};
