export * from './session.js';
export * from './errors.js';
export * from './limits.js';
export * from './state-machine.js';
export * from './session-store.js';
export * from './search.js';
export { CURSOR_MAX_LENGTH, SEARCH_TIMESTAMP_PATTERN } from './search-validation.js';
export {
  DEFAULT_RETENTION_SWEEP_INTERVAL_MS,
  parseDuration,
  parseRetention,
  type RetentionPolicy,
  type RetentionSweeper,
  type RetentionSweeperOptions,
} from './retention.js';
export * from './events.js';
export * from './runs.js';
export * from './manager.js';
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
