import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { SessionStore } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';
import type { SessionStoreHarness } from '../../src/testing.js';
import { startPrivateCluster, type PrivateCluster } from './redis-cluster.js';
import { startPrivateRedis, type PrivateRedis } from './redis-server.js';

/** A private Redis (standalone or Cluster) for the surrounding `describe`, started in `before`. */
export interface RedisTestEnv {
  /** For `describeSessionStoreContract`: each store gets a fresh prefix; dispose deletes its keys. */
  harness: SessionStoreHarness;
  /** A new store on a fresh random prefix. */
  newStore(): RedisSessionStore;
  /** A new store on the given prefix (e.g. one shared with other processes). */
  newStoreWithPrefix(prefix: string): RedisSessionStore;
  /** A client of the test's own, for looking at keys directly. */
  admin(): Redis | Cluster;
  /** The prefix a store from `newStore` was given. */
  prefixOf(store: SessionStore): string;
}

/** Registers before/after hooks that run a private standalone redis-server. */
export function useStandaloneRedis(): RedisTestEnv {
  let server: PrivateRedis | undefined;
  let admin: Redis | undefined;
  before(async () => {
    server = await startPrivateRedis();
    admin = new Redis(server.url);
  });
  after(async () => {
    admin?.disconnect();
    await server?.destroy();
  });
  return envWith(
    () => admin as Redis,
    (prefix, eventStreamMaxLength) => new RedisSessionStore({ url: (server as PrivateRedis).url, prefix, eventStreamMaxLength }),
    () => [admin as Redis],
  );
}

/** Registers before/after hooks that run a private 3-master Redis Cluster, shared through one client. */
export function useRedisCluster(): RedisTestEnv {
  let cluster: PrivateCluster | undefined;
  let client: Cluster | undefined;
  before(async function () {
    this.timeout(30_000);
    cluster = await startPrivateCluster();
    client = new Cluster(cluster.nodes);
    await client.ping();
  });
  after(async () => {
    client?.disconnect();
    await cluster?.destroy();
  });
  return envWith(
    () => client as Cluster,
    (prefix, eventStreamMaxLength) => new RedisSessionStore({ client: client as Cluster, prefix, eventStreamMaxLength }),
    () => (client as Cluster).nodes('master'),
  );
}

function envWith(
  admin: () => Redis | Cluster,
  storeOn: (prefix: string, eventStreamMaxLength?: number) => RedisSessionStore,
  nodes: () => Redis[],
): RedisTestEnv {
  const prefixes = new WeakMap<SessionStore, string>();
  const newStoreWithPrefix = (prefix: string, eventStreamMaxLength?: number) => {
    const store = storeOn(prefix, eventStreamMaxLength);
    prefixes.set(store, prefix);
    return store;
  };
  const newStore = () => newStoreWithPrefix(`test-${randomBytes(6).toString('hex')}`);
  const prefixOf = (store: SessionStore) => prefixes.get(store) as string;
  return {
    newStore,
    newStoreWithPrefix,
    admin,
    prefixOf,
    harness: {
      create: newStore,
      createWithEventRetention: (events) => newStoreWithPrefix(`test-${randomBytes(6).toString('hex')}`, events),
      async dispose(store) {
        await deleteKeys(nodes(), prefixOf(store));
        await store.close?.();
      },
    },
  };
}

/** Every key of `prefix` on these nodes (all in one slot, so on one node of a Cluster). */
export async function keysOf(nodes: Redis[], prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

async function deleteKeys(nodes: Redis[], prefix: string): Promise<void> {
  for (const node of nodes) {
    const keys = await keysOf([node], prefix);
    if (keys.length > 0) await node.del(...keys);
  }
}
