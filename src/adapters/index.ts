export { MemorySessionStore } from './memory/memory-session-store.js';
