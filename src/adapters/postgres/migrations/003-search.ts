import type { Migration } from './index.js';

/**
 * Search and retention.
 *
 * - Indexes ending in (updated_at, id) beside the (created_at, id) ones of the first migration,
 *   so a search sorted by either field, filtered by db connection and one status (a status set is
 *   read as one index range per status, merged), reads matching entries only. Indexes on indexed
 *   metadata keys depend on the host's keys and are made when a store starts (see search-indexes.ts).
 * - `session_events.reason`: why a `deleted` event's session went (`prune`, `retention`), taken
 *   from the transaction-local setting `agent_sessions.delete_reason` the delete statement sets.
 */
export const SEARCH: Migration = {
  version: 3,
  name: 'search indexes and delete reasons',
  sql: (s, channel) => `
CREATE INDEX sessions_by_status_updated ON ${s}.sessions (status, updated_at, id);
CREATE INDEX sessions_by_db_status_updated ON ${s}.sessions (db_connection_id, status, updated_at, id);

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
