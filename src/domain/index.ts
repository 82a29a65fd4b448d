export * from './session.js';
export * from './errors.js';
export * from './limits.js';
export * from './state-machine.js';
export * from './session-store.js';
export * from './manager.js';
export { newSessionId } from './session-id.js';
