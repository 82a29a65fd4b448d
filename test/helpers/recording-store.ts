import type { SessionPatch, SessionStore, StoreListQuery, UpdateCondition, AgentSession } from '../../src/index.js';

/** One write that won: the session as it was before and after. */
export interface Win {
  previous: Pick<AgentSession, 'status' | 'version' | 'metadata'>;
  session: Pick<AgentSession, 'id' | 'status' | 'version' | 'metadata'>;
}

/** Wraps a store and reports each update that really changed a session (outcome `updated`). */
export function recordingWins(store: SessionStore, onWin: (win: Win) => void): SessionStore {
  return {
    insert: (session: AgentSession) => store.insert(session),
    get: (id: string) => store.get(id),
    list: (query: StoreListQuery) => store.list(query),
    delete: (id: string, condition?: { expectedVersion?: number }) => store.delete(id, condition),
    close: () => store.close?.() ?? Promise.resolve(),
    async update(id: string, patch: SessionPatch, condition: UpdateCondition) {
      const result = await store.update(id, patch, condition);
      if (result.outcome === 'updated') {
        const { previous: p, session: s } = result;
        onWin({
          previous: { status: p.status, version: p.version, metadata: p.metadata },
          session: { id: s.id, status: s.status, version: s.version, metadata: s.metadata },
        });
      }
      return result;
    },
  };
}
