// The library's public surface: domain, stores and wiring. Nothing here loads Koa.
export * from './domain/index.js';
export { MemorySessionStore, type MemorySessionStoreOptions } from './adapters/memory/memory-session-store.js';
export { createAgentSessionManager, type CreateAgentSessionManagerOptions } from './create-manager.js';
