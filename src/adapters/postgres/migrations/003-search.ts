import type { Migration } from './index.js';

/**
 * Search and retention.
 *
 * - Indexes ending in (updated_at, id) beside the (created_at, id) ones of the first migration,
 *   so a search sorted by either field, filtered by db connection and one status (a status set is
 *   read as one index range per status, merged), reads matching entries only. Indexes on indexed
 *   metadata keys depend on the host's keys and are made when a store starts (see search-indexes.ts).
 * - `search_keys` and `session_key_counts`: exact totals of a search by one indexed metadata
 *   key=value, kept by a trigger like `session_counts`.
 * - `session_events.reason`: why a `deleted` event's session went (`prune`, `retention`), taken
 *   from the transaction-local setting `agent_sessions.delete_reason` the delete statement sets.
 */
export const SEARCH: Migration = {
  version: 3,
  name: 'search indexes and delete reasons',
  sql: (s, channel) => `
CREATE INDEX sessions_by_status_updated ON ${s}.sessions (status, updated_at, id);
CREATE INDEX sessions_by_db_status_updated ON ${s}.sessions (db_connection_id, status, updated_at, id);

-- Exact totals of a search by one indexed key=value (and db connection, status set), without
-- counting rows: per (key, value, db connection, status), db '' for any connection, 16 shards per
-- key as in session_counts. Only for the keys in search_keys (added, with a backfill, by the
-- store that indexes them: see search-indexes.ts) and string, number or boolean values.
CREATE TABLE ${s}.search_keys (key text COLLATE "C" PRIMARY KEY);
CREATE TABLE ${s}.session_key_counts (
  key text COLLATE "C" NOT NULL,
  value jsonb NOT NULL,
  db_connection_id text NOT NULL,
  status text NOT NULL,
  shard smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (key, value, db_connection_id, status, shard)
);

CREATE FUNCTION ${s}.count_session_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  picked smallint := floor(random() * 16);
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status = OLD.status AND NEW.metadata = OLD.metadata THEN
    RETURN NULL;
  END IF;
  -- One statement, rows in key order (no deadlocks between writers), net deltas only.
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
  RETURN NULL;
END
$$;
CREATE TRIGGER count_session_key AFTER INSERT OR UPDATE OR DELETE ON ${s}.sessions
  FOR EACH ROW EXECUTE FUNCTION ${s}.count_session_key();

ALTER TABLE ${s}.session_events ADD COLUMN reason text;

CREATE OR REPLACE FUNCTION ${s}.record_session_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
  PERFORM pg_notify('${channel}', '');
  RETURN NULL;
END
$$;
`,
};
