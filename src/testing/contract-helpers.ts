import assert from 'node:assert/strict';
import type { AgentSessionManager } from '../domain/manager.js';
import type { AgentSession } from '../domain/session.js';
import { newSessionId } from '../domain/session-id.js';
import type { SessionStore } from '../domain/session-store.js';

// Shared by the parts of the store contract suite.

/** What each part of the suite works on: the current test's store and a manager over it. */
export interface ContractContext {
  store: SessionStore;
  manager: AgentSessionManager;
}

/** A fixed instant the sample sessions are created at (plus their offset). */
export const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** A valid session to insert directly; `createdAtOffset` is in ms after a fixed base time. */
export function sampleSession(overrides: Partial<AgentSession> & { createdAtOffset?: number } = {}): AgentSession {
  const { createdAtOffset = 0, ...rest } = overrides;
  const at = new Date(BASE_TIME + createdAtOffset).toISOString();
  return {
    id: newSessionId(),
    dbConnectionId: 'db-1',
    status: 'active',
    mode: 'full_autonomy',
    recursionLimit: 100,
    title: null,
    createdAt: at,
    updatedAt: at,
    metadata: {},
    version: 1,
    ...rest,
  };
}

/** The documented listing order: newest createdAt first, ties by id descending. */
export function newestFirst(a: AgentSession, b: AgentSession): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export const ids = (sessions: readonly AgentSession[]): string[] => sessions.map((s) => s.id);

/** Inserts each session, failing the test if the store refuses one. */
export async function insertEach(store: SessionStore, sessions: AgentSession[]): Promise<void> {
  for (const session of sessions) assert.equal(await store.insert(session), true, `insert ${session.id}`);
}
