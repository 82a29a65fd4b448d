import { MemorySessionStore } from '../src/index.js';
import { describeSessionStoreContract } from '../src/testing.js';

describeSessionStoreContract('MemorySessionStore', {
  create: (options) => new MemorySessionStore(options),
  createWithEventRetention: (events) => new MemorySessionStore({ eventRetention: events }),
});
