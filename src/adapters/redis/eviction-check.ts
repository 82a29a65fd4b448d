import type { RedisClient } from './connection.js';

/**
 * Warns once (when the store first finds Redis ready) unless Redis runs with `maxmemory-policy noeviction`: under any
 * other policy Redis may evict session hashes and index entries under memory pressure, losing
 * sessions without an error. A Redis that refuses CONFIG (managed services often do) is not
 * warned about: the policy cannot be read there, and the README says what to set.
 */
export function warnUnlessNoEviction(client: RedisClient, logger: { warn(message: string): void }): void {
  const check = () => {
    (client.config('GET', 'maxmemory-policy') as Promise<string[]>).then(
      (reply) => {
        const policy = reply[1];
        if (policy !== undefined && policy !== 'noeviction') {
          logger.warn(
            `Redis maxmemory-policy is '${policy}': Redis may evict sessions under memory pressure. ` +
              "Set 'maxmemory-policy noeviction' for the agent-sessions Redis.",
          );
        }
      },
      () => {},
    );
  };
  if (client.status === 'ready') check();
  else client.once('ready', check);
}
