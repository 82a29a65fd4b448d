import { describeSessionStoreContract } from '../../src/testing.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';

describe('PostgresSessionStore on a private PostgreSQL server', function () {
  const postgres = usePrivatePostgres();
  describeSessionStoreContract('PostgresSessionStore', postgres.harness);
});
