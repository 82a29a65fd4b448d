import { MemorySessionStore } from '../src/index.js';
import { describeSessionStoreContract } from '../src/testing.js';

describeSessionStoreContract('MemorySessionStore', {
  create: () => new MemorySessionStore(),
  createWithEventRetention: (events) => new MemorySessionStore({ eventRetention: events }),
});
