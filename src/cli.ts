#!/usr/bin/env node
import { pino } from 'pino';
import { createAgentSessionManager } from './create-manager.js';
import { configHelp, loadConfig, type ServerConfig } from './server/config.js';
import { startServer } from './server/start.js';
import { createStoreFromConfig, importPostgresStore } from './server/store-from-config.js';

// `agent-sessions serve` (and `npm start`): the REST API, configured from the environment.

const USAGE = `Usage: agent-sessions [serve | migrate] [--help]

serve (the default) serves the agent-session REST API. migrate applies the PostgreSQL store's
pending migrations to DATABASE_URL (schema DATABASE_SCHEMA) and exits; serve with STORE=postgres
applies them too, so running it alone is optional (e.g. as a deploy step).

Configuration comes from environment variables:

${configHelp()}
`;

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.length > 1 || (args.length === 1 && args[0] !== 'serve' && args[0] !== 'migrate')) {
    process.stderr.write(`Unknown arguments: ${args.join(' ')}\n\n${USAGE}`);
    return 1;
  }
  const { config, problems } = loadConfig(process.env);
  if (!config) {
    for (const problem of problems) process.stderr.write(`Configuration error: ${problem.message}\n`);
    return 1;
  }
  if (args[0] === 'migrate') return migrateOnly(config);
  const logger = pino({ level: config.logLevel, base: { service: 'agent-sessions' } });
  let store: Awaited<ReturnType<typeof createStoreFromConfig>>;
  try {
    store = await createStoreFromConfig(config);
  } catch (error) {
    process.stderr.write(`Start-up error: ${(error as Error).message}\n`);
    return 1;
  }
  const running = await startServer({
    manager: createAgentSessionManager({ store }),
    port: config.port,
    host: config.host,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    apiKeys: config.apiKeys,
    corsOrigins: config.corsOrigins,
    eventHeartbeatMs: config.eventHeartbeatMs,
    leaseReaperIntervalMs: config.leaseReaperIntervalMs || false,
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    maxConnections: config.maxConnections || undefined,
  });
  logger.info({ url: running.url, store: config.store, auth: config.apiKeys.length > 0 }, `agent-sessions listening on ${running.url}`);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'finishing in-flight requests, then exiting');
      void running
        .close(config.shutdownTimeoutMs)
        .then(() => store.close?.())
        .then(() => process.exit(0));
    });
  }
  return -1; // keep running
}

/** `agent-sessions migrate`: applies pending migrations and says which. */
async function migrateOnly(config: ServerConfig): Promise<number> {
  if (config.databaseUrl === '') {
    process.stderr.write('Configuration error: migrate needs DATABASE_URL, such as postgres://user:password@host:5432/database.\n');
    return 1;
  }
  const { PostgresSessionStore } = await importPostgresStore();
  const store = new PostgresSessionStore({ url: config.databaseUrl, schema: config.databaseSchema, poolSize: 1, migrate: false });
  try {
    const applied = await store.migrate();
    const what = applied.length === 0 ? 'already up to date' : `applied migration ${applied.join(', ')}`;
    process.stdout.write(`Schema ${config.databaseSchema}: ${what}.\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`Migration failed: ${(error as Error).message}${(error as Error).cause ? ` (${String((error as Error).cause)})` : ''}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
