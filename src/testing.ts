// The store contract suite, for adapter authors: `describeSessionStoreContract('mine', { create })`.
export {
  CONTRACT_INDEXED_METADATA_KEYS,
  describeSessionStoreContract,
  sampleSession,
  type SessionStoreHarness,
  type SessionStoreHarnessOptions,
} from './testing/session-store-contract.js';
