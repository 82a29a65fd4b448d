import { MemorySessionStore } from './adapters/memory/memory-session-store.js';
import { AgentSessionManager, type AgentSessionManagerOptions } from './domain/manager.js';
import type { SessionStore } from './domain/session-store.js';

/** Options for `createAgentSessionManager`. */
export interface CreateAgentSessionManagerOptions extends AgentSessionManagerOptions {
  /** Where sessions live; defaults to a new in-memory store. */
  store?: SessionStore;
}

/** Wires a manager by hand, for hosts that do not use Inversify. */
export function createAgentSessionManager(options: CreateAgentSessionManagerOptions = {}): AgentSessionManager {
  const { store = new MemorySessionStore(), ...managerOptions } = options;
  return new AgentSessionManager(store, managerOptions);
}
