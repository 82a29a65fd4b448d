import { describeEmergencyStop } from '../helpers/emergency-stop.js';
import { usePrivatePostgres } from '../helpers/postgres-env.js';

describe('emergency stop: bulk pause of running tasks on two instances sharing one PostgreSQL', function () {
  this.timeout(120_000);
  const postgres = usePrivatePostgres();
  describeEmergencyStop(() => {
    const first = postgres.newStore();
    // The second instance: its own pool, the same schema.
    return [first, postgres.newStoreWithSchema(postgres.schemaOf(first))];
  });
});
