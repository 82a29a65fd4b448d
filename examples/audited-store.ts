// The custom store of example 4: the in-memory store plus an audit count of writes per db
// connection. A custom store is proven like ours, by the contract suite (test/examples.test.ts).
import { MemorySessionStore, type AgentSession, type SessionPatch, type UpdateCondition } from 'agent-sessions';

/** A custom store: the in-memory one, plus an audit count of writes per db connection. */
export class AuditedStore extends MemorySessionStore {
  readonly writes = new Map<string, number>();

  override async insert(session: AgentSession) {
    const inserted = await super.insert(session);
    if (inserted) this.tally(session.dbConnectionId);
    return inserted;
  }

  override async update(id: string, patch: SessionPatch, condition: UpdateCondition) {
    const result = await super.update(id, patch, condition);
    if (result.outcome === 'updated') this.tally(result.session.dbConnectionId);
    return result;
  }

  private tally(dbConnectionId: string): void {
    this.writes.set(dbConnectionId, (this.writes.get(dbConnectionId) ?? 0) + 1);
  }
}
