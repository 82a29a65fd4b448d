import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { SessionStore } from '../../src/index.js';
import { PostgresSessionStore } from '../../src/postgres.js';
import type { SessionStoreHarness } from '../../src/testing.js';
import { startPrivatePostgres, type PostgresOptions, type PrivatePostgres } from './postgres-server.js';

/** Store options tests may set. */
type StoreExtras = { poolSize?: number; eventRetention?: number; indexedMetadataKeys?: readonly string[] };

/** A private PostgreSQL for the surrounding `describe`, started in `before`. */
export interface PostgresTestEnv {
  /** For `describeSessionStoreContract`: each store gets a fresh schema; dispose drops it. */
  harness: SessionStoreHarness;
  /** A new store on a fresh random schema. */
  newStore(options?: StoreExtras): PostgresSessionStore;
  /** A new store on the given schema (e.g. one shared with other processes). */
  newStoreWithSchema(schema: string, options?: StoreExtras): PostgresSessionStore;
  /** A pool of the test's own, for looking at tables directly. */
  admin(): pg.Pool;
  /** The schema a store from `newStore` was given. */
  schemaOf(store: SessionStore): string;
  server(): PrivatePostgres;
}

/** Registers before/after hooks that run a private PostgreSQL server. */
export function usePrivatePostgres(options: PostgresOptions = {}): PostgresTestEnv {
  let server: PrivatePostgres | undefined;
  let admin: pg.Pool | undefined;
  before(async function () {
    this.timeout(60_000);
    server = await startPrivatePostgres(options);
    admin = new pg.Pool({ connectionString: server.url, max: 4 });
    admin.on('error', () => {});
  });
  after(async () => {
    await admin?.end().catch(() => {});
    await server?.destroy();
  });
  const schemas = new WeakMap<SessionStore, string>();
  const newStoreWithSchema = (schema: string, extra: StoreExtras = {}) => {
    const store = new PostgresSessionStore({ url: (server as PrivatePostgres).url, schema, poolSize: extra.poolSize ?? 5, ...extra });
    schemas.set(store, schema);
    return store;
  };
  const newStore = (extra?: StoreExtras) =>
    newStoreWithSchema(`test_${randomBytes(6).toString('hex')}`, extra);
  const schemaOf = (store: SessionStore) => schemas.get(store) as string;
  return {
    newStore,
    newStoreWithSchema,
    admin: () => admin as pg.Pool,
    schemaOf,
    server: () => server as PrivatePostgres,
    harness: {
      create: (options) => newStore(options),
      createWithEventRetention: (events) => newStore({ eventRetention: events }),
      async dispose(store) {
        await store.close?.();
        await (admin as pg.Pool).query(`DROP SCHEMA IF EXISTS "${schemaOf(store)}" CASCADE`);
      },
    },
  };
}
