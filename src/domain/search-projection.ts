import type { SessionFieldName } from './search.js';
import type { AgentSession } from './session.js';

/** The session with only the selected fields, and always `id`. */
export function projectSession<Field extends SessionFieldName>(
  session: AgentSession,
  select: readonly Field[],
): Pick<AgentSession, Field | 'id'> {
  const projected: Partial<Record<SessionFieldName, unknown>> = { id: session.id };
  for (const field of select) projected[field] = session[field];
  return Object.freeze(projected) as Pick<AgentSession, Field | 'id'>;
}
