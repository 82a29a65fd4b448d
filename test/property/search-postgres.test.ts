import { usePrivatePostgres } from '../helpers/postgres-env.js';
import { describeSearchModel } from './search-model.js';

describe('PostgresSessionStore on a private PostgreSQL server', function () {
  const postgres = usePrivatePostgres();
  describeSearchModel('PostgresSessionStore', (options) => postgres.newStore(options), { numRuns: 30, dispose: postgres.harness.dispose });
});
