import { fileURLToPath } from 'node:url';
import { describeIdempotentCreateRace } from '../helpers/idempotent-create-race.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';

describe('idempotent create raced by several processes on one PostgreSQL', function () {
  this.timeout(60_000);
  const postgres = usePrivatePostgres();
  describeIdempotentCreateRace(() => {
    const store = postgres.newStore();
    return {
      store,
      workerPath: fileURLToPath(new URL('./idempotent-create-worker.ts', import.meta.url)),
      url: postgres.server().url,
      namespace: postgres.schemaOf(store),
    };
  });
});
