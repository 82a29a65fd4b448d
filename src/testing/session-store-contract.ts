import { AgentSessionManager } from '../domain/manager.js';
import type { SessionStore } from '../domain/session-store.js';
import { describeConcurrencyContract } from './concurrency-contract.js';
import { describeCrudContract } from './crud-contract.js';
import { describeEventContract } from './events-contract.js';
import { describeIdempotencyContract } from './idempotency-contract.js';
import { describeLifecycleContract } from './lifecycle-contract.js';
import { describeListContract } from './list-contract.js';
import { describeRunContract } from './runs-contract.js';
import { describeStateMachineContract } from './state-machine-contract.js';

export { sampleSession } from './contract-helpers.js';

// The definition of a store: every adapter runs this suite unchanged. It uses mocha-style
// globals (describe / it / beforeEach / afterEach) and node:assert, so a host can run it
// against its own adapter with mocha (or any runner that offers those globals).

/** How the suite gets a fresh, empty store for each test and gets rid of it afterwards. */
export interface SessionStoreHarness {
  create(): Promise<SessionStore> | SessionStore;
  /** Defaults to `store.close()`. */
  dispose?(store: SessionStore): Promise<void>;
  /**
   * A fresh store that keeps about `events` recent change events for resuming (disposed like the
   * others). Without it, the test of resuming from before the retained window is skipped.
   */
  createWithEventRetention?(events: number): Promise<SessionStore> | SessionStore;
}

/** Registers the whole store contract as a mocha `describe` block. */
export function describeSessionStoreContract(name: string, harness: SessionStoreHarness): void {
  describe(`SessionStore contract: ${name}`, function () {
    this.timeout(20_000);
    let store: SessionStore;
    let manager: AgentSessionManager;

    beforeEach(async () => {
      store = await harness.create();
      manager = new AgentSessionManager(store);
    });

    afterEach(async () => {
      if (harness.dispose) await harness.dispose(store);
      else await store.close?.();
    });

    const context = () => ({ store, manager });
    describeCrudContract(context);
    describeListContract(context);
    describeStateMachineContract(context);
    describeConcurrencyContract(context);
    describeEventContract(context, harness);
    describeRunContract(context);
    describeIdempotencyContract(context);
    describeLifecycleContract(context);
  });
}
