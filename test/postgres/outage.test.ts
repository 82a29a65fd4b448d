import { PostgresSessionStore } from '../../src/postgres.js';
import { describeOutageScenario } from '../helpers/outage-scenario.js';
import { startPrivatePostgres } from '../helpers/postgres-server.js';

// The PostgreSQL server (postmaster and every backend) is SIGKILLed mid-stream and restarted on
// the same data with fsync on: crash recovery replays the WAL.
describe('PostgresSessionStore when the PostgreSQL server is killed and restarted', function () {
  this.timeout(90_000);
  describeOutageScenario(
    async () => {
      const postgres = await startPrivatePostgres({ durable: true });
      return { ...postgres, store: new PostgresSessionStore({ url: postgres.url, schema: 'outage' }) };
    },
    /postgres|ECONN|127\.0\.0\.1|\d{4,5}|terminat|connection/i,
    'PostgreSQL',
  );
});
