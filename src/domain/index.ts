export * from './session.js';
export * from './errors.js';
export * from './limits.js';
export * from './state-machine.js';
export * from './session-store.js';
export * from './events.js';
export * from './runs.js';
export { AgentSessionManager, type AgentSessionManagerOptions } from './manager.js';
export * from './principal.js';
export { ScopedSessionManager, type AuditEntry, type AuditSink, type ScopedManagerOptions } from './scoped-manager.js';
export * from './idempotency.js';
export { BULK_BATCH_SIZE, type BulkStatusFilter } from './bulk-status.js';
export { parseDuration } from './duration.js';
export { newSessionId } from './session-id.js';
export * from './session-events.js';
export {
  DEFAULT_LEASE_MS,
  LAST_ERROR_METADATA_KEY,
  TaskInterruptedError,
  type RunTaskOptions,
  type TaskContext,
  type TaskHandler,
  type TaskResult,
  type TaskRunResult,
} from './task-run.js';
export {
  DEFAULT_REAPER_INTERVAL_MS,
  LEASE_EXPIRED_MESSAGE,
  type LeaseReaper,
  type LeaseReaperOptions,
} from './lease-reaper.js';
