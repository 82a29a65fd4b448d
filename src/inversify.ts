import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { MemorySessionStore } from './adapters/memory/memory-session-store.js';
import { AgentSessionManager, type AgentSessionManagerOptions } from './domain/manager.js';
import type { SessionStore } from './domain/session-store.js';

/** Tokens the module binds; inject by these, never by emitted parameter types. */
export const AGENT_SESSION_TOKENS = {
  SessionStore: Symbol.for('agent-sessions.SessionStore') as ServiceIdentifier<SessionStore>,
  AgentSessionManager: Symbol.for('agent-sessions.AgentSessionManager') as ServiceIdentifier<AgentSessionManager>,
};

/** Options for `agentSessionsModule`. */
export interface AgentSessionsModuleOptions extends AgentSessionManagerOptions {
  /**
   * The store to bind. Leave it out to bind a singleton in-memory store, or set
   * `bindStore: false` and bind `AGENT_SESSION_TOKENS.SessionStore` yourself.
   */
  store?: SessionStore;
  bindStore?: boolean;
}

/**
 * An Inversify module that binds the store and a singleton manager built from it. The classes
 * carry no decorators: bindings are dynamic values resolved through the tokens above.
 */
export function agentSessionsModule(options: AgentSessionsModuleOptions = {}): ContainerModule {
  const { store, bindStore = true, ...managerOptions } = options;
  return new ContainerModule(({ bind }) => {
    if (bindStore) {
      bind(AGENT_SESSION_TOKENS.SessionStore)
        .toDynamicValue(() => store ?? new MemorySessionStore())
        .inSingletonScope();
    }
    bind(AGENT_SESSION_TOKENS.AgentSessionManager)
      .toDynamicValue((context) => new AgentSessionManager(context.get(AGENT_SESSION_TOKENS.SessionStore), managerOptions))
      .inSingletonScope();
  });
}
