import { expect } from 'chai';
import fc from 'fast-check';
import { AgentSessionManager, SESSION_STATUSES, SessionError, type SessionStore, type SessionStatus } from '../../src/index.js';
import { managerCommand, type ManagerCommand, type SessionRef } from './manager-commands.js';
import { SessionModel, type Expected } from './session-model.js';

/** How a property run gets a fresh, empty store and gets rid of it afterwards. */
export type StoreFactory = () => Promise<SessionStore> | SessionStore;

export interface ManagerModelOptions {
  /** Property runs (default 200), each a fresh store and up to `maxCommands` calls (default 40). */
  numRuns?: number;
  maxCommands?: number;
  dispose?: (store: SessionStore) => Promise<void>;
}

const START = Date.parse('2026-03-01T00:00:00.000Z');
const PAUSABLE: readonly SessionStatus[] = ['active', 'running'];

async function outcomeOf<T>(call: () => Promise<T>): Promise<Expected<T>> {
  try {
    return { value: await call() };
  } catch (error) {
    if (error instanceof SessionError) return { error: error.code };
    throw error;
  }
}

/** Runs one command against the manager and the model and fails on any difference. */
class ModelCheck {
  readonly model = new SessionModel();
  private now = START;
  readonly manager: AgentSessionManager;

  constructor(store: SessionStore) {
    this.manager = new AgentSessionManager(store, { clock: () => this.now });
  }

  private idOf(ref: SessionRef): string {
    const issued = [...this.model.everIssued];
    if (ref === 'never-created' || issued.length === 0) return 'sess_neverCreatedAnywhere0000';
    return issued[ref.pick % issued.length];
  }

  async run(command: ManagerCommand): Promise<void> {
    if ('advanceMs' in command) this.now += command.advanceMs;
    const label = JSON.stringify(command);
    switch (command.call) {
      case 'create': {
        const { dbConnectionId, title, metadata, mode, recursionLimit } = command;
        const input = { dbConnectionId, title, metadata, mode, recursionLimit };
        const session = await this.manager.create(input);
        expect(this.model.everIssued.has(session.id), `${label}: id ${session.id} reused`).to.equal(false);
        const at = new Date(this.now).toISOString();
        const expected = {
          id: session.id,
          dbConnectionId: input.dbConnectionId,
          status: 'active' as const,
          mode: input.mode ?? 'full_autonomy',
          recursionLimit: input.recursionLimit ?? 100,
          title: input.title ?? null,
          createdAt: at,
          updatedAt: at,
          metadata: input.metadata ?? {},
          version: 1,
        };
        expect(session, label).to.deep.equal(expected);
        this.model.created(expected);
        return;
      }
      case 'get': {
        const id = this.idOf(command.ref);
        expect(await outcomeOf(() => this.manager.get(id)), `${label} on ${id}`).to.deep.equal(this.model.get(id));
        return;
      }
      case 'list': {
        const { dbConnectionId, status, limit, offset } = command;
        const query = { dbConnectionId, status, limit, offset };
        const page = await this.manager.list(query);
        expect(page, label).to.deep.equal({ ...this.model.list(query), limit: query.limit, offset: query.offset });
        return;
      }
      default:
        return this.write(command, label);
    }
  }

  private async write(command: Extract<ManagerCommand, { ifVersion: unknown }>, label: string): Promise<void> {
    const id = this.idOf(command.ref);
    const ifVersion = this.model.ifVersionFor(id, command.ifVersion);
    const options = { ifVersion };
    let actual: Expected<unknown>;
    let expected: Expected<unknown>;
    switch (command.call) {
      case 'update':
        actual = await outcomeOf(() => this.manager.update(id, command.body, options));
        expected = command.valid ? this.model.write(id, command.body, 'state-machine', ifVersion, this.now) : { error: 'invalid_input' };
        break;
      case 'pause':
        actual = await outcomeOf(() => this.manager.pause(id, options));
        expected = this.model.write(id, { status: 'paused' }, PAUSABLE, ifVersion, this.now);
        break;
      case 'resume':
        actual = await outcomeOf(() => this.manager.resume(id, options));
        expected = this.model.write(id, { status: 'active' }, ['paused'], ifVersion, this.now);
        break;
      case 'delete':
        actual = await outcomeOf(() => this.manager.delete(id, options));
        expected = this.model.delete(id, ifVersion);
        break;
    }
    expect(actual, `${label} on ${id} (ifVersion ${String(ifVersion)})`).to.deep.equal(expected);
  }

  /** Every filter combination lists exactly the model's sessions, in order, with exact totals. */
  async checkAllListings(): Promise<void> {
    for (const dbConnectionId of [undefined, 'db-a', 'db-b', 'db-c']) {
      for (const status of [undefined, ...SESSION_STATUSES]) {
        const query = { dbConnectionId, status, limit: 1000, offset: 0 };
        const page = await this.manager.list(query);
        expect(page, `final listing ${JSON.stringify(query)}`).to.deep.equal({ ...this.model.list(query), limit: 1000, offset: 0 });
      }
    }
  }
}

/**
 * Registers a property test: random sequences of manager calls against a store from
 * `createStore` must behave exactly like the reference model. Store-agnostic, so every
 * adapter can run it unchanged; fast-check shrinks any divergence to a minimal sequence.
 */
export function describeManagerModel(name: string, createStore: StoreFactory, options: ManagerModelOptions = {}): void {
  const { numRuns = 200, maxCommands = 40, dispose = (store: SessionStore) => store.close?.() ?? Promise.resolve() } = options;
  describe(`AgentSessionManager against the reference model: ${name}`, function () {
    this.timeout(60_000);

    it('agrees with the model on every call of random call sequences', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(managerCommand, { maxLength: maxCommands, size: 'max' }), async (commands) => {
          const store = await createStore();
          try {
            const check = new ModelCheck(store);
            for (const command of commands) await check.run(command);
            await check.checkAllListings();
          } finally {
            await dispose(store);
          }
        }),
        { numRuns },
      );
    });
  });
}
