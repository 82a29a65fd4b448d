import type { Migration } from './index.js';

/**
 * Sessions, their runs and the change-event outbox. `s` is the quoted schema name.
 *
 * - `sessions`: one row per session; `id` sorts bytewise (COLLATE "C"), as the listing order
 *   compares ids. One index per list shape, each ending in (created_at DESC, id DESC), so a page
 *   and its count read only matching index entries.
 * - `session_runs`: the run holding a `running` session: its token and lease expiry (judged
 *   against the database's clock). Deleted with the session, and by the trigger below whenever
 *   the session leaves `running`.
 * - `session_events`: one row per real change, written by the trigger in the same transaction
 *   as the change. Readers take them in (xid, id) order and only below the oldest running
 *   transaction, so an event whose transaction commits late is never skipped (see event-feed.ts).
 */
export const SESSIONS: Migration = {
  version: 1,
  name: 'sessions, runs and change events',
  sql: (s, channel) => `
CREATE TABLE ${s}.sessions (
  id text COLLATE "C" PRIMARY KEY,
  db_connection_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'paused', 'running', 'completed', 'failed')),
  mode text NOT NULL,
  recursion_limit integer NOT NULL,
  title text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  metadata jsonb NOT NULL,
  version integer NOT NULL,
  -- The order key of this session's last event (see record_session_event).
  event_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX sessions_newest ON ${s}.sessions (created_at DESC, id DESC);
CREATE INDEX sessions_by_db ON ${s}.sessions (db_connection_id, created_at DESC, id DESC);
CREATE INDEX sessions_by_status ON ${s}.sessions (status, created_at DESC, id DESC);
CREATE INDEX sessions_by_db_status ON ${s}.sessions (db_connection_id, status, created_at DESC, id DESC);

-- Exact totals without counting rows: per (db connection, status) and, under db '' (never a real
-- id: ids have at least one character), per status over all connections. Each key is spread over
-- 16 shard rows, so concurrent writes rarely wait for one another's counter; a total is the sum
-- of at most 80 rows, however many sessions match.
CREATE TABLE ${s}.session_counts (
  db_connection_id text NOT NULL,
  status text NOT NULL,
  shard smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (db_connection_id, status, shard)
);

CREATE FUNCTION ${s}.count_session() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  picked smallint := floor(random() * 16);
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
    RETURN NULL;
  END IF;
  -- One statement, rows in key order: every writer takes counter locks in the same order, so
  -- two writers can wait for each other but never deadlock.
  INSERT INTO ${s}.session_counts AS c (db_connection_id, status, shard, n)
  SELECT d.db, d.status, picked, d.delta FROM (
    SELECT NEW.db_connection_id AS db, NEW.status AS status, 1 AS delta WHERE TG_OP <> 'DELETE'
    UNION ALL SELECT '', NEW.status, 1 WHERE TG_OP <> 'DELETE'
    UNION ALL SELECT OLD.db_connection_id, OLD.status, -1 WHERE TG_OP <> 'INSERT'
    UNION ALL SELECT '', OLD.status, -1 WHERE TG_OP <> 'INSERT'
  ) d
  ORDER BY d.db, d.status
  ON CONFLICT (db_connection_id, status, shard) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END
$$;
CREATE TRIGGER count_session AFTER INSERT OR UPDATE OR DELETE ON ${s}.sessions
  FOR EACH ROW EXECUTE FUNCTION ${s}.count_session();

CREATE TABLE ${s}.session_runs (
  session_id text COLLATE "C" PRIMARY KEY REFERENCES ${s}.sessions (id) ON DELETE CASCADE,
  token text NOT NULL,
  lease_until timestamptz NOT NULL
);
CREATE INDEX session_runs_by_lease ON ${s}.session_runs (lease_until);

CREATE TABLE ${s}.session_events (
  id bigserial PRIMARY KEY,
  xid xid8 NOT NULL,
  type text NOT NULL,
  previous_status text,
  session jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX session_events_in_order ON ${s}.session_events (xid, id);

-- A transaction takes its id before it waits for a row lock, so of two writes to one session the
-- later one may hold the smaller id. Each event's order key is therefore the larger of its own
-- transaction id and the key of the session's previous event: per session, keys never go down.
CREATE FUNCTION ${s}.order_session_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.event_xid := greatest(pg_current_xact_id(), OLD.event_xid);
  RETURN NEW;
END
$$;
CREATE TRIGGER order_session_event BEFORE UPDATE ON ${s}.sessions
  FOR EACH ROW EXECUTE FUNCTION ${s}.order_session_event();

CREATE FUNCTION ${s}.record_session_event() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO ${s}.session_events (xid, type, previous_status, session)
      VALUES (greatest(pg_current_xact_id(), OLD.event_xid), 'deleted', OLD.status, to_jsonb(OLD));
  END IF;
  PERFORM pg_notify('${channel}', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER record_session_event AFTER INSERT OR UPDATE OR DELETE ON ${s}.sessions
  FOR EACH ROW EXECUTE FUNCTION ${s}.record_session_event();
`,
};
