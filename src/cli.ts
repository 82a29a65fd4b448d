#!/usr/bin/env node
import { createAgentSessionManager } from './create-manager.js';
import { ApiKeyRing, loadApiKeysFile, plainApiKeys } from './server/auth/api-keys.js';
import { configHelp, loadConfig, type ServerConfig } from './server/config.js';
import { createServerLogger, exitAfterFlush, exitOnUncaughtException } from './server/logger.js';
import { MissingPackageError } from './server/optional-package.js';
import { startServer } from './server/start.js';
import { createStoreFromConfig, importPostgresStore } from './server/store-from-config.js';

// `agent-sessions serve` (and `npm start`): the REST API, configured from the environment.

const USAGE = `Usage: agent-sessions [serve | migrate] [--help]

serve (the default) serves the agent-session REST API. migrate applies the PostgreSQL store's
pending migrations to DATABASE_URL (schema DATABASE_SCHEMA), makes the indexes of
INDEXED_METADATA_KEYS, and exits; serve with STORE=postgres
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
  const logger = createServerLogger(config.logLevel);
  let store: Awaited<ReturnType<typeof createStoreFromConfig>>;
  try {
    store = await createStoreFromConfig(config);
  } catch (error) {
    const kind = error instanceof MissingPackageError ? 'Configuration error' : 'Start-up error';
    process.stderr.write(`${kind}: ${(error as Error).message}
`);
    return 1;
  }
  const plainKeys = plainApiKeys(config.apiKeys);
  const keyRing = new ApiKeyRing([...plainKeys, ...config.apiKeyEntries]);
  const running = await startServer({
    manager: createAgentSessionManager({
      store,
      idempotencyTtlMs: config.idempotencyTtlMs,
      runningLeaseMs: config.runningLeaseMs,
      retention: config.retention || undefined,
    }),
    port: config.port,
    host: config.host,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    apiKeyRing: keyRing.size > 0 || config.apiKeysFile ? keyRing : undefined,
    corsOrigins: config.corsOrigins,
    eventHeartbeatMs: config.eventHeartbeatMs,
    leaseReaperIntervalMs: config.leaseReaperIntervalMs || false,
    retentionSweepIntervalMs: config.retentionSweepIntervalMs || false,
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    maxConnections: config.maxConnections || undefined,
    eventStreamMaxClients: config.eventStreamMaxClients,
    eventStreamBufferBytes: config.eventStreamBufferBytes,
  });
  logger.info({ url: running.url, store: config.store, auth: keyRing.size > 0 }, `agent-sessions listening on ${running.url}`);
  logger.flush(); // the listening line is what supervisors and tests wait for: no batching

  // SIGHUP re-reads the key file; open connections and streams go on. A bad file changes nothing.
  process.on('SIGHUP', () => {
    if (!config.apiKeysFile) return;
    try {
      keyRing.replace([...plainKeys, ...loadApiKeysFile(config.apiKeysFile)]);
      logger.info({ keys: keyRing.size }, 'API key file reloaded');
    } catch (error) {
      logger.error({ err: error }, `API key file not reloaded, the previous keys stay: ${(error as Error).message}`);
    }
  });

  exitOnUncaughtException(logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'finishing in-flight requests, then exiting');
      void running
        .close(config.shutdownTimeoutMs)
        .then(() => store.close?.())
        .then(() => exitAfterFlush(logger, 0));
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
  const loaded = await importPostgresStore().catch((error: unknown) => {
    if (!(error instanceof MissingPackageError)) throw error;
    process.stderr.write(`Configuration error: ${error.message}\n`);
    return undefined;
  });
  if (!loaded) return 1;
  const store = new loaded.PostgresSessionStore({ url: config.databaseUrl, schema: config.databaseSchema, poolSize: 1, migrate: false, indexedMetadataKeys: config.indexedMetadataKeys });
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
