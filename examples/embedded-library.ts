// Example 1: the library embedded in a host application, on the in-memory store.
// Run: npm run build && npx tsx examples/embedded-library.ts
import { InvalidTransitionError, createAgentSessionManager } from 'agent-sessions';

const sessions = createAgentSessionManager();

const session = await sessions.create({
  dbConnectionId: 'db123',
  mode: 'analysis',
  title: 'Monthly Sales Analysis',
  metadata: { department: 'finance' },
});
console.log('created', session.id, session.status);

await sessions.update(session.id, { status: 'running' });
const paused = await sessions.pause(session.id);
console.log('paused at version', paused.version);

try {
  await sessions.pause(session.id);
} catch (error) {
  if (!(error instanceof InvalidTransitionError)) throw error;
  console.log('second pause refused:', error.message);
}

const page = await sessions.list({ dbConnectionId: 'db123', status: 'paused' });
console.log('paused sessions for db123:', page.total);
