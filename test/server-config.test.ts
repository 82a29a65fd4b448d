import { expect } from 'chai';
import { DEFAULT_EVENT_STREAM_MAX_LENGTH } from '../src/redis.js';
import { loadConfig } from '../src/server/config.js';

describe('server configuration', () => {
  it('has safe defaults: loopback, port 3000, memory store, no CORS, no keys', () => {
    const { config, problems } = loadConfig({});
    expect(problems).to.deep.equal([]);
    expect(config).to.deep.include({
      port: 3000,
      host: '127.0.0.1',
      store: 'memory',
      bodyLimitBytes: 256 * 1024,
      corsOrigins: [],
      apiKeys: [],
      authOff: false,
    });
  });

  it('reads every variable', () => {
    const { config } = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      STORE: 'redis',
      REDIS_URL: 'redis://10.0.0.1:6380/2',
      REDIS_PREFIX: 'app1',
      REDIS_EVENT_STREAM_MAX_LENGTH: '500',
      INDEXED_METADATA_KEYS: 'user_id, project',
      RETENTION: 'completed:7d,failed:30d',
      RETENTION_SWEEP_INTERVAL_MS: '5000',
      DATABASE_URL: 'postgres://app:secret@10.0.0.2:5432/sessions',
      DATABASE_POOL_SIZE: '20',
      DATABASE_SCHEMA: 'app1_sessions',
      DATABASE_EVENT_RETENTION: '5000',
      LOG_LEVEL: 'warn',
      BODY_LIMIT: '1mb',
      CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      API_KEYS: 'key-aaaaaaaaaaaaaaaa,key-bbbbbbbbbbbbbbbb',
      SHUTDOWN_TIMEOUT_MS: '2500',
      EVENT_HEARTBEAT_MS: '1000',
      LEASE_REAPER_INTERVAL_MS: '0',
      RUNNING_LEASE_MS: '120000',
      REQUEST_TIMEOUT_MS: '60000',
      HEADERS_TIMEOUT_MS: '15000',
      KEEP_ALIVE_TIMEOUT_MS: '65000',
      MAX_CONNECTIONS: '5000',
      EVENT_STREAM_MAX_CLIENTS: '50',
      EVENT_STREAM_BUFFER_BYTES: '1mb',
      MEMORY_EVENT_RETENTION: '100',
      MEMORY_EVENT_RETENTION_BYTES: '1gb',
      IDEMPOTENCY_TTL: '90m',
    });
    expect(config).to.deep.equal({
      port: 8080,
      host: '0.0.0.0',
      store: 'redis',
      redisUrl: 'redis://10.0.0.1:6380/2',
      redisPrefix: 'app1',
      redisEventStreamMaxLength: 500,
      indexedMetadataKeys: ['user_id', 'project'],
      retention: 'completed:7d,failed:30d',
      retentionSweepIntervalMs: 5000,
      databaseUrl: 'postgres://app:secret@10.0.0.2:5432/sessions',
      databasePoolSize: 20,
      databaseSchema: 'app1_sessions',
      databaseEventRetention: 5000,
      logLevel: 'warn',
      bodyLimitBytes: 1024 * 1024,
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      apiKeys: ['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb'],
      apiKeysFile: '',
      apiKeyEntries: [],
      authOff: false,
      shutdownTimeoutMs: 2500,
      eventHeartbeatMs: 1000,
      leaseReaperIntervalMs: 0,
      runningLeaseMs: 120000,
      requestTimeoutMs: 60000,
      headersTimeoutMs: 15000,
      keepAliveTimeoutMs: 65000,
      maxConnections: 5000,
      eventStreamMaxClients: 50,
      eventStreamBufferBytes: 1024 * 1024,
      memoryEventRetention: 100,
      memoryEventRetentionBytes: 1024 ** 3,
      idempotencyTtlMs: 90 * 60_000,
    });
  });

  it('reads IDEMPOTENCY_TTL as a duration in s, m, h or d (default 24h) and refuses anything else', () => {
    expect(loadConfig({}).config?.idempotencyTtlMs).to.equal(86_400_000);
    expect(loadConfig({ IDEMPOTENCY_TTL: '45s' }).config?.idempotencyTtlMs).to.equal(45_000);
    expect(loadConfig({ IDEMPOTENCY_TTL: '7d' }).config?.idempotencyTtlMs).to.equal(7 * 86_400_000);
    for (const bad of ['0s', '24', '1w', '-1h', '1.5h', '366d']) {
      expect(loadConfig({ IDEMPOTENCY_TTL: bad }).problems.map((p) => p.variable), bad).to.deep.equal(['IDEMPOTENCY_TTL']);
    }
  });

  it('names every bad variable at once', () => {
    const { config, problems } = loadConfig({
      PORT: '70000',
      STORE: 'mongodb',
      REDIS_URL: 'http://x',
      REDIS_PREFIX: '{bad}',
      REDIS_EVENT_STREAM_MAX_LENGTH: '0',
      LOG_LEVEL: 'loud',
      BODY_LIMIT: '5gb',
      CORS_ORIGINS: 'https://a.example/path',
      API_KEYS: 'short',
      AUTH: 'maybe',
    });
    expect(config).to.equal(undefined);
    expect(problems.map((p) => p.variable)).to.deep.equal([
      'PORT',
      'STORE',
      'REDIS_URL',
      'REDIS_PREFIX',
      'REDIS_EVENT_STREAM_MAX_LENGTH',
      'LOG_LEVEL',
      'BODY_LIMIT',
      'CORS_ORIGINS',
      'API_KEYS',
      'AUTH',
    ]);
    for (const problem of problems) expect(problem.message).to.contain(problem.variable);
  });

  it('defaults REDIS_EVENT_STREAM_MAX_LENGTH to the Redis store default and takes only a positive whole number', () => {
    expect(loadConfig({}).config?.redisEventStreamMaxLength).to.equal(DEFAULT_EVENT_STREAM_MAX_LENGTH);
    for (const bad of ['0', '-5', '1.5', '1e3', 'lots', '', '1000000001']) {
      const { problems } = loadConfig({ REDIS_EVENT_STREAM_MAX_LENGTH: bad });
      expect(problems.map((p) => p.message), bad).to.deep.equal([
        `REDIS_EVENT_STREAM_MAX_LENGTH=${JSON.stringify(bad)} must be a whole number from 1 to 1000000000.`,
      ]);
    }
  });

  it('bounds event streams and memory event retention by default, and refuses values out of range', () => {
    expect(loadConfig({}).config).to.deep.include({
      eventStreamMaxClients: 1000,
      eventStreamBufferBytes: 256 * 1024,
      memoryEventRetention: 10_000,
      memoryEventRetentionBytes: 64 * 1024 ** 2,
    });
    const { problems } = loadConfig({
      EVENT_STREAM_MAX_CLIENTS: '0',
      EVENT_STREAM_BUFFER_BYTES: '1kb',
      MEMORY_EVENT_RETENTION: 'all',
      MEMORY_EVENT_RETENTION_BYTES: '-1',
    });
    expect(problems.map((p) => p.variable)).to.deep.equal([
      'EVENT_STREAM_MAX_CLIENTS',
      'EVENT_STREAM_BUFFER_BYTES',
      'MEMORY_EVENT_RETENTION',
      'MEMORY_EVENT_RETENTION_BYTES',
    ]);
    expect(problems[1].message).to.equal('EVENT_STREAM_BUFFER_BYTES="1kb" must be a size from 16384 bytes to 64mb, such as 256kb.');
  });

  it('refuses a non-loopback HOST without keys unless AUTH=off says so', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.internal']) {
      expect(loadConfig({ HOST: host }).problems.map((p) => p.variable), host).to.deep.equal(['HOST']);
      expect(loadConfig({ HOST: host, AUTH: 'off' }).problems, host).to.deep.equal([]);
      expect(loadConfig({ HOST: host, API_KEYS: 'k'.repeat(16) }).problems, host).to.deep.equal([]);
    }
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) {
      expect(loadConfig({ HOST: host }).problems, host).to.deep.equal([]);
    }
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    const { problems } = loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '9000' });
    expect(problems.map((p) => p.variable)).to.deep.equal(['HEADERS_TIMEOUT_MS']);
  });

  it('refuses AUTH=off together with API_KEYS', () => {
    expect(loadConfig({ AUTH: 'off', API_KEYS: 'k'.repeat(16) }).problems.map((p) => p.variable)).to.deep.equal(['AUTH']);
  });
  it('reads INDEXED_METADATA_KEYS as a list, empty by default, and refuses a key with other characters', () => {
    expect(loadConfig({}).config?.indexedMetadataKeys).to.deep.equal([]);
    expect(loadConfig({ INDEXED_METADATA_KEYS: 'user_id,project' }).config?.indexedMetadataKeys).to.deep.equal(['user_id', 'project']);
    const { problems } = loadConfig({ INDEXED_METADATA_KEYS: 'user_id,a:b' });
    expect(problems.map((p) => p.variable)).to.deep.equal(['INDEXED_METADATA_KEYS']);
    expect(problems[0].message).to.contain("'a:b'");
  });
  it('reads RETENTION as status:duration pairs and refuses a bad status or unit', () => {
    expect(loadConfig({}).config?.retention).to.equal('');
    expect(loadConfig({}).config?.retentionSweepIntervalMs).to.equal(60_000);
    for (const bad of ['done:7d', 'completed:7w', 'completed', 'completed:7d:1']) {
      expect(loadConfig({ RETENTION: bad }).problems.map((p) => p.variable), bad).to.deep.equal(['RETENTION']);
    }
  });
});

describe('server configuration for the PostgreSQL store', () => {
  it('needs DATABASE_URL with STORE=postgres, and defaults the pool, schema and retention', () => {
    expect(loadConfig({ STORE: 'postgres' }).problems.map((p) => p.variable)).to.deep.equal(['DATABASE_URL']);
    const { config } = loadConfig({ STORE: 'postgres', DATABASE_URL: 'postgresql://localhost/app' });
    expect(config).to.deep.include({ store: 'postgres', databaseUrl: 'postgresql://localhost/app', databasePoolSize: 10, databaseSchema: 'agent_sessions', databaseEventRetention: 10_000 });
  });

  it('names each bad DATABASE_* variable', () => {
    const { problems } = loadConfig({ DATABASE_URL: 'mysql://x', DATABASE_POOL_SIZE: '0', DATABASE_SCHEMA: 'Bad-Name', DATABASE_EVENT_RETENTION: 'many' });
    expect(problems.map((p) => p.variable)).to.deep.equal(['DATABASE_URL', 'DATABASE_POOL_SIZE', 'DATABASE_SCHEMA', 'DATABASE_EVENT_RETENTION']);
  });
});
