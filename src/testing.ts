// The store contract suite, for adapter authors: `describeSessionStoreContract('mine', { create })`.
export { describeSessionStoreContract, sampleSession, type SessionStoreHarness } from './testing/session-store-contract.js';
