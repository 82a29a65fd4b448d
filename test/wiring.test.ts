import 'reflect-metadata';
import { expect } from 'chai';
import { Container } from 'inversify';
import { AgentSessionManager, MemorySessionStore, createAgentSessionManager, type SessionStore } from '../src/index.js';
import { AGENT_SESSION_TOKENS, agentSessionsModule } from '../src/inversify.js';

describe('wiring', () => {
  it('createAgentSessionManager uses the store it is given', async () => {
    const store = new MemorySessionStore();
    const manager = createAgentSessionManager({ store });
    const session = await manager.create({ dbConnectionId: 'db' });
    expect(await store.get(session.id)).to.deep.equal(session);
  });

  it('the Inversify module binds a singleton manager over a singleton in-memory store by default', async () => {
    const container = new Container();
    await container.load(agentSessionsModule());
    const manager = container.get(AGENT_SESSION_TOKENS.AgentSessionManager);
    expect(manager).to.be.instanceOf(AgentSessionManager);
    expect(container.get(AGENT_SESSION_TOKENS.AgentSessionManager)).to.equal(manager);
    const session = await manager.create({ dbConnectionId: 'db' });
    expect(await container.get(AGENT_SESSION_TOKENS.SessionStore).get(session.id)).to.deep.equal(session);
  });

  it('lets a host bind its own store', async () => {
    const mine: SessionStore = new MemorySessionStore();
    const container = new Container();
    container.bind(AGENT_SESSION_TOKENS.SessionStore).toConstantValue(mine);
    await container.load(agentSessionsModule({ bindStore: false }));
    const session = await container.get(AGENT_SESSION_TOKENS.AgentSessionManager).create({ dbConnectionId: 'db' });
    expect(await mine.get(session.id)).to.deep.equal(session);
  });
});
