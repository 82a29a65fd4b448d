import type { SessionStatus } from './session.js';

/**
 * The status state machine as data: each status maps to the statuses it may move to.
 * `completed` and `failed` are terminal.
 */
export const TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  active: ['running', 'paused', 'completed', 'failed'],
  running: ['active', 'paused', 'completed', 'failed'],
  paused: ['active', 'completed', 'failed'],
  completed: [],
  failed: [],
};

/** True when a session in `from` may move to `to` (moving to the same status is not a move). */
export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses from which a session may be moved to `to`. */
export function statusesThatMayMoveTo(to: SessionStatus): SessionStatus[] {
  return (Object.keys(TRANSITIONS) as SessionStatus[]).filter((from) => canTransition(from, to));
}
