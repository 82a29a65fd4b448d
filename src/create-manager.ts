import { MemorySessionStore } from './adapters/memory/memory-session-store.js';
import { AgentSessionManager, type AgentSessionManagerOptions } from './domain/manager.js';
import type { SessionStore } from './domain/session-store.js';

/** Options for `createAgentSessionManager`. */
export interface CreateAgentSessionManagerOptions extends AgentSessionManagerOptions {
  /** Where sessions live; defaults to a new in-memory store. */
  store?: SessionStore;
  /**
   * Metadata keys the default in-memory store indexes for `search` and `count`. A store passed
   * in is configured by its own `indexedMetadataKeys` option instead.
   */
  indexedMetadataKeys?: readonly string[];
}

/** Wires a manager by hand, for hosts that do not use Inversify. */
export function createAgentSessionManager(options: CreateAgentSessionManagerOptions = {}): AgentSessionManager {
  const { indexedMetadataKeys, store = new MemorySessionStore({ indexedMetadataKeys }), ...managerOptions } = options;
  if (options.store && indexedMetadataKeys) {
    throw new TypeError('indexedMetadataKeys configures the default store; set it on the store you pass instead.');
  }
  return new AgentSessionManager(store, managerOptions);
}
