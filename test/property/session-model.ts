import type { AgentSession, SessionStatus } from '../../src/index.js';

// A deliberately naive reference model of the manager: a plain Map, full scans and the state
// machine written out again from CONTRACT.md (not imported), so a bug in the real table or
// store cannot hide by being copied into the oracle.

const MAY_MOVE_TO: Record<SessionStatus, readonly SessionStatus[]> = {
  active: ['running', 'paused', 'completed', 'failed'],
  running: ['active', 'paused', 'completed', 'failed'],
  paused: ['active', 'completed', 'failed'],
  completed: [],
  failed: [],
};

/** What a call should end in: a value, or the `code` of the error it should throw. */
export type Expected<T> = { value: T } | { error: string };

/** How the caller chose `ifVersion`: none, the session's current version, or a wrong one. */
export type IfVersionChoice = 'none' | 'current' | 'stale';

export class SessionModel {
  readonly sessions = new Map<string, AgentSession>();
  readonly everIssued = new Set<string>();

  ifVersionFor(id: string, choice: IfVersionChoice): number | undefined {
    const version = this.sessions.get(id)?.version ?? 1;
    if (choice === 'none') return undefined;
    return choice === 'current' ? version : version + 1;
  }

  created(session: AgentSession): void {
    this.sessions.set(session.id, session);
    this.everIssued.add(session.id);
  }

  get(id: string): Expected<AgentSession> {
    const session = this.sessions.get(id);
    return session ? { value: session } : { error: 'session_not_found' };
  }

  list(query: { dbConnectionId?: string; status?: SessionStatus; limit: number; offset: number }): { sessions: AgentSession[]; total: number } {
    const matching = [...this.sessions.values()]
      .filter((s) => (query.dbConnectionId === undefined || s.dbConnectionId === query.dbConnectionId) && (query.status === undefined || s.status === query.status))
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1));
    return { sessions: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
  }

  /**
   * A write: `allowedFrom` lists the statuses the session may be in (pause/resume), or is
   * `'state-machine'` for PATCH, where moving to the current status is a no-op.
   */
  write(
    id: string,
    change: { title?: string | null; status?: SessionStatus; metadata?: Record<string, unknown> | null },
    allowedFrom: readonly SessionStatus[] | 'state-machine',
    ifVersion: number | undefined,
    now: number,
  ): Expected<AgentSession> {
    const current = this.sessions.get(id);
    if (!current) return { error: 'session_not_found' };
    if (ifVersion !== undefined && ifVersion !== current.version) return { error: 'version_conflict' };
    if (change.status !== undefined) {
      const allowed =
        allowedFrom === 'state-machine'
          ? change.status === current.status || MAY_MOVE_TO[current.status].includes(change.status)
          : allowedFrom.includes(current.status);
      if (!allowed) return { error: 'invalid_transition' };
    }
    const next = {
      ...current,
      title: change.title !== undefined ? change.title : current.title,
      status: change.status ?? current.status,
      // `null` clears metadata to `{}`.
      metadata: change.metadata === null ? {} : (change.metadata ?? current.metadata),
    };
    const changed =
      next.title !== current.title || next.status !== current.status || JSON.stringify(next.metadata) !== JSON.stringify(current.metadata);
    if (!changed) return { value: current };
    const updatedAt = new Date(Math.max(now, Date.parse(current.updatedAt) + 1)).toISOString();
    const updated = { ...next, updatedAt, version: current.version + 1 };
    this.sessions.set(id, updated);
    return { value: updated };
  }

  delete(id: string, ifVersion: number | undefined): Expected<void> {
    const current = this.sessions.get(id);
    if (!current) return { error: 'session_not_found' };
    if (ifVersion !== undefined && ifVersion !== current.version) return { error: 'version_conflict' };
    this.sessions.delete(id);
    return { value: undefined };
  }
}
