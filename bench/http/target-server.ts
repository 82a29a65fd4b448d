import { createAgentSessionManager } from '../../src/index.js';
import { startServer } from '../../src/server/index.js';
import { createServerLogger } from '../../src/server/logger.js';
import { benchStore } from '../stores.js';
import './report-cpu.js';
import { SEED_SESSION } from './seed.js';

// Child process: our server as `npm start` runs it (access log on, at the default level) on the
// store named in argv[2], with one seeded session.
const store = await benchStore(process.argv[2] ?? 'memory').create();
const manager = createAgentSessionManager({ store });
const { id } = await manager.create(SEED_SESSION);
const running = await startServer({ manager, port: 0, logger: createServerLogger('info') });
process.send?.({ url: running.url, sessionId: id });
