import type { RedisClient } from '../connection.js';
import { DELETE_SESSION } from './delete-session.js';
import { END_RUN } from './end-run.js';
import { EXPIRED_RUNS } from './expired-runs.js';
import { INSERT_SESSION } from './insert-session.js';
import { INSERT_SESSION_ONCE } from './insert-session-once.js';
import { LIST_SESSIONS } from './list-sessions.js';
import { RENEW_RUN } from './renew-run.js';
import { REPAIR_INDEX } from './repair-index.js';
import { START_RUN } from './start-run.js';
import { UPDATE_SESSION } from './update-session.js';

type Script = (...keysThenArgs: string[]) => Promise<unknown>;

/** The store's scripts as client methods; ioredis sends EVALSHA and falls back to EVAL once. */
export interface SessionScripts {
  agentSessionsInsert: Script;
  agentSessionsInsertOnce: Script;
  agentSessionsUpdate: Script;
  agentSessionsDelete: Script;
  agentSessionsList: Script;
  agentSessionsStartRun: Script;
  agentSessionsRenewRun: Script;
  agentSessionsEndRun: Script;
  agentSessionsExpiredRuns: Script;
  agentSessionsRepairIndex: Script;
}

// Names are namespaced because a host's own client may carry commands of its own.
const DEFINITIONS: Record<keyof SessionScripts, { numberOfKeys: number; lua: string }> = {
  agentSessionsInsert: { numberOfKeys: 6, lua: INSERT_SESSION },
  agentSessionsInsertOnce: { numberOfKeys: 7, lua: INSERT_SESSION_ONCE },
  agentSessionsUpdate: { numberOfKeys: 4, lua: UPDATE_SESSION },
  agentSessionsDelete: { numberOfKeys: 5, lua: DELETE_SESSION },
  agentSessionsList: { numberOfKeys: 1, lua: LIST_SESSIONS },
  agentSessionsStartRun: { numberOfKeys: 4, lua: START_RUN },
  agentSessionsRenewRun: { numberOfKeys: 2, lua: RENEW_RUN },
  agentSessionsEndRun: { numberOfKeys: 4, lua: END_RUN },
  agentSessionsExpiredRuns: { numberOfKeys: 1, lua: EXPIRED_RUNS },
  agentSessionsRepairIndex: { numberOfKeys: 3, lua: REPAIR_INDEX },
};

/** Registers the scripts on `client` (once per client) and returns the client typed with them. */
export function defineSessionScripts(client: RedisClient): SessionScripts {
  const scripts = client as unknown as SessionScripts;
  for (const [name, definition] of Object.entries(DEFINITIONS)) {
    if (typeof scripts[name as keyof SessionScripts] !== 'function') client.defineCommand(name, definition);
  }
  // Called as methods of the client itself, so ioredis sees the right `this`.
  return scripts;
}
