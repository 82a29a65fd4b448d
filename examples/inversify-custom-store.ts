// Example 4: an Inversify host that swaps in its own store (examples/audited-store.ts).
// Run: npm run build && npx tsx examples/inversify-custom-store.ts
import 'reflect-metadata';
import { Container } from 'inversify';
import { AGENT_SESSION_TOKENS, agentSessionsModule } from 'agent-sessions/inversify';
import { AuditedStore } from './audited-store.js';

const store = new AuditedStore();
const container = new Container();
container.bind(AGENT_SESSION_TOKENS.SessionStore).toConstantValue(store);
await container.load(agentSessionsModule({ bindStore: false }));

const sessions = container.get(AGENT_SESSION_TOKENS.AgentSessionManager);
const session = await sessions.create({ dbConnectionId: 'warehouse' });
await sessions.update(session.id, { status: 'running' });
await sessions.update(session.id, { status: 'running' }); // a no-op: not a write
await sessions.pause(session.id);
console.log('writes for warehouse:', store.writes.get('warehouse'));
