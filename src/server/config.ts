import { isIP } from 'node:net';
import { DEFAULT_EVENT_RETENTION, DEFAULT_POOL_SIZE, DEFAULT_SCHEMA } from '../adapters/postgres/defaults.js';
import { DEFAULT_MEMORY_EVENT_RETENTION, DEFAULT_MEMORY_EVENT_RETENTION_BYTES } from '../adapters/memory/memory-event-log.js';
import { DEFAULT_EVENT_STREAM_MAX_LENGTH } from '../adapters/redis/defaults.js';
import { DEFAULT_RETENTION_SWEEP_INTERVAL_MS, parseRetention } from '../domain/retention.js';
import { loadApiKeysFile, type ApiKeyEntry } from './auth/api-keys.js';
import { DEFAULT_EVENT_STREAM_LIMITS } from './event-stream-output.js';
import { parseDuration } from '../domain/duration.js';

/** Everything the server entry reads from the environment, validated. */
export interface ServerConfig {
  port: number;
  host: string;
  store: 'memory' | 'redis' | 'postgres';
  redisUrl: string;
  redisPrefix: string;
  /** About how many change events the Redis stream keeps (with STORE=redis). */
  redisEventStreamMaxLength: number;
  /** Top-level metadata keys that search and count may filter on. */
  indexedMetadataKeys: string[];
  /** Per-status retention as written, such as `completed:7d,failed:30d` ('' keeps everything). */
  retention: string;
  /** 0: no retention sweeper. */
  retentionSweepIntervalMs: number;
  /** PostgreSQL connection URL (with STORE=postgres); '' when unset. */
  databaseUrl: string;
  databasePoolSize: number;
  databaseSchema: string;
  /** About how many change events the PostgreSQL events table keeps (with STORE=postgres). */
  databaseEventRetention: number;
  logLevel: string;
  bodyLimitBytes: number;
  corsOrigins: string[];
  apiKeys: string[];
  /** Path of the scoped key file; '' for none. */
  apiKeysFile: string;
  /** The keys `apiKeysFile` held at start-up. */
  apiKeyEntries: ApiKeyEntry[];
  authOff: boolean;
  shutdownTimeoutMs: number;
  eventHeartbeatMs: number;
  /** 0: no lease reaper. */
  leaseReaperIntervalMs: number;
  /** Lease of a session set to `running` by PATCH; a PATCH naming `running` again renews it. */
  runningLeaseMs: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** 0: no limit. */
  maxConnections: number;
  /** Most event streams open at once. */
  eventStreamMaxClients: number;
  /** Most bytes queued for one event-stream client before it is closed as too slow. */
  eventStreamBufferBytes: number;
  /** Recent change events the memory store keeps for resuming (with STORE=memory). */
  memoryEventRetention: number;
  /** Most bytes of recent change events the memory store keeps (with STORE=memory). */
  memoryEventRetentionBytes: number;
  /** How long an idempotent create's key is remembered, in ms. */
  idempotencyTtlMs: number;
}

/** One bad environment variable, named, with what is wrong. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

interface VariableSpec<K extends keyof ServerConfig> {
  variable: string;
  key: K;
  fallback: string;
  description: string;
  /** Turns the raw text into the value, or throws an Error whose message says what is wrong. */
  parse(raw: string): ServerConfig[K];
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integerIn(min: number, max: number) {
  return (raw: string): number => {
    if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new Error(`must be a whole number from ${min} to ${max}`);
    }
    return Number(raw);
  };
}

function byteSize(raw: string): number {
  const match = /^([0-9]+)\s*(b|kb|mb)?$/i.exec(raw.trim());
  const bytes = match ? Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b'] : NaN;
  if (!(bytes >= 1024 && bytes <= 16 * 1024 * 1024)) throw new Error('must be a size from 1kb to 16mb, such as 256kb');
  return bytes;
}

const UNITS = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A size such as `256kb` within bounds (b, kb, mb or gb; no unit means bytes). */
function bytesBetween(min: number, max: number, example: string) {
  return (raw: string): number => {
    const match = /^([0-9]+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
    const bytes = match ? Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase() as keyof typeof UNITS] : NaN;
    if (!(bytes >= min && bytes <= max)) throw new Error(`must be a size from ${min} bytes to ${max / 1024 ** 2}mb, such as ${example}`);
    return bytes;
  };
}

function list(raw: string): string[] {
  return raw.split(',').map((item) => item.trim()).filter(Boolean);
}

function oneOf<T extends string>(options: readonly T[]) {
  return (raw: string): T => {
    if (!options.includes(raw as T)) throw new Error(`must be one of ${options.join(', ')}`);
    return raw as T;
  };
}

// The single description of the configuration: parsing, defaults and `--help` all come from it.
const SPECS = [
  { variable: 'PORT', key: 'port', fallback: '3000', description: 'TCP port to listen on (0 picks a free one).', parse: integerIn(0, 65535) },
  {
    variable: 'HOST',
    key: 'host',
    fallback: '127.0.0.1',
    description: 'Address to bind. A non-loopback address needs API_KEYS (or AUTH=off).',
    parse: (raw: string) => raw,
  },
  { variable: 'STORE', key: 'store', fallback: 'memory', description: 'Session store: memory, redis or postgres.', parse: oneOf(['memory', 'redis', 'postgres'] as const) },
  {
    variable: 'REDIS_URL',
    key: 'redisUrl',
    fallback: 'redis://127.0.0.1:6379',
    description: 'Redis connection URL (redis:// or rediss://), with STORE=redis.',
    parse: (raw: string) => {
      if (!/^rediss?:\/\/[^\s]+$/.test(raw) || !URL.canParse(raw)) throw new Error('must be a redis:// or rediss:// URL');
      return raw;
    },
  },
  {
    variable: 'REDIS_PREFIX',
    key: 'redisPrefix',
    fallback: 'agent-sessions',
    description: 'Key prefix (and Cluster hash tag) of every Redis key the store writes.',
    parse: (raw: string) => {
      if (!/^[A-Za-z0-9:._-]{1,64}$/.test(raw)) throw new Error('must be 1-64 characters of letters, digits, : . _ -');
      return raw;
    },
  },
  {
    variable: 'REDIS_EVENT_STREAM_MAX_LENGTH',
    key: 'redisEventStreamMaxLength',
    fallback: String(DEFAULT_EVENT_STREAM_MAX_LENGTH),
    description: 'About how many change events the Redis stream {prefix}:events keeps (XADD MAXLEN ~), with STORE=redis.',
    parse: integerIn(1, 1_000_000_000),
  },
  {
    variable: 'INDEXED_METADATA_KEYS',
    key: 'indexedMetadataKeys',
    fallback: '',
    description: 'Comma-separated top-level metadata keys that search and count may filter on (such as user_id,project).',
    parse: (raw: string) => {
      const keys = list(raw);
      const bad = keys.find((key) => !/^[A-Za-z0-9_.-]{1,64}$/.test(key));
      if (bad !== undefined) throw new Error(`has '${bad}': each key must be 1-64 of A-Z a-z 0-9 _ . -`);
      return keys;
    },
  },
  {
    variable: 'RETENTION',
    key: 'retention',
    fallback: '',
    description: 'Per-status retention after the last change, such as completed:7d,failed:30d (units s, m, h, d); empty keeps sessions forever.',
    parse: (raw: string) => {
      try {
        parseRetention(raw);
      } catch (error) {
        throw new Error((error as Error).message.replace(/\.$/, ''));
      }
      return raw.trim();
    },
  },
  {
    variable: 'RETENTION_SWEEP_INTERVAL_MS',
    key: 'retentionSweepIntervalMs',
    fallback: String(DEFAULT_RETENTION_SWEEP_INTERVAL_MS),
    description: 'How often expired sessions (RETENTION) are deleted; 0 turns the sweeper off.',
    parse: integerIn(0, 86_400_000),
  },
  {
    variable: 'DATABASE_URL',
    key: 'databaseUrl',
    fallback: '',
    description: 'PostgreSQL connection URL (postgres:// or postgresql://); required with STORE=postgres and for `migrate`.',
    parse: (raw: string) => {
      if (raw !== '' && (!/^postgres(ql)?:\/\/[^\s]+$/.test(raw) || !URL.canParse(raw))) throw new Error('must be a postgres:// or postgresql:// URL');
      return raw;
    },
  },
  {
    variable: 'DATABASE_POOL_SIZE',
    key: 'databasePoolSize',
    fallback: String(DEFAULT_POOL_SIZE),
    description: 'Connections the PostgreSQL store keeps open at most (plus one for change events while anyone listens).',
    parse: integerIn(1, 1000),
  },
  {
    variable: 'DATABASE_SCHEMA',
    key: 'databaseSchema',
    fallback: DEFAULT_SCHEMA,
    description: 'PostgreSQL schema of the store\'s tables, created by the migrations.',
    parse: (raw: string) => {
      if (!/^[a-z_][a-z0-9_]{0,55}$/.test(raw)) throw new Error('must be 1-56 characters of a-z, 0-9 and _, not starting with a digit');
      return raw;
    },
  },
  {
    variable: 'DATABASE_EVENT_RETENTION',
    key: 'databaseEventRetention',
    fallback: String(DEFAULT_EVENT_RETENTION),
    description: 'About how many change events the PostgreSQL table {schema}.session_events keeps, with STORE=postgres.',
    parse: integerIn(1, 1_000_000_000),
  },
  { variable: 'LOG_LEVEL', key: 'logLevel', fallback: 'info', description: `Log level: ${LOG_LEVELS.join(', ')}.`, parse: oneOf(LOG_LEVELS) },
  { variable: 'BODY_LIMIT', key: 'bodyLimitBytes', fallback: '256kb', description: 'Largest request body (b, kb or mb).', parse: byteSize },
  {
    variable: 'CORS_ORIGINS',
    key: 'corsOrigins',
    fallback: '',
    description: 'Comma-separated origins allowed by CORS (such as https://app.example.com); empty turns CORS off.',
    parse: (raw: string) => {
      const origins = list(raw);
      for (const origin of origins) {
        if (origin !== '*' && (!URL.canParse(origin) || new URL(origin).origin !== origin)) {
          throw new Error(`'${origin}' is not an origin such as https://app.example.com`);
        }
      }
      return origins;
    },
  },
  {
    variable: 'API_KEYS',
    key: 'apiKeys',
    fallback: '',
    description: 'Comma-separated API keys (16+ characters each); when set, every route but /healthz and /readyz needs one.',
    parse: (raw: string) => {
      const keys = list(raw);
      if (keys.some((key) => key.length < 16)) throw new Error('each key must be at least 16 characters long');
      return keys;
    },
  },
  {
    variable: 'API_KEYS_FILE',
    key: 'apiKeysFile',
    fallback: '',
    description:
      'JSON file of scoped keys: [{"name", "sha256" (or "key"), "scopes", "db_connection_ids"?}]; re-read on SIGHUP. Accepted besides API_KEYS.',
    parse: (raw: string) => raw,
  },
  {
    variable: 'AUTH',
    key: 'authOff',
    fallback: '',
    description: "Set to 'off' to serve a non-loopback HOST without API keys, on purpose.",
    parse: (raw: string) => {
      if (raw !== '' && raw !== 'off') throw new Error("must be 'off' or unset");
      return raw === 'off';
    },
  },
  {
    variable: 'SHUTDOWN_TIMEOUT_MS',
    key: 'shutdownTimeoutMs',
    fallback: '10000',
    description: 'How long SIGTERM/SIGINT waits for in-flight requests before cutting them.',
    parse: integerIn(0, 600_000),
  },
  {
    variable: 'EVENT_HEARTBEAT_MS',
    key: 'eventHeartbeatMs',
    fallback: '15000',
    description: 'Interval of the heartbeat comments on open event streams (SSE).',
    parse: integerIn(100, 600_000),
  },
  {
    variable: 'LEASE_REAPER_INTERVAL_MS',
    key: 'leaseReaperIntervalMs',
    fallback: '5000',
    description: 'How often to fail running sessions whose task lease expired (their runner died); 0 turns it off.',
    parse: integerIn(0, 3_600_000),
  },
  {
    variable: 'RUNNING_LEASE_MS',
    key: 'runningLeaseMs',
    fallback: '600000',
    description: 'A session PATCHed to running is failed by the lease reaper unless a PATCH naming running renews it within this time.',
    parse: integerIn(1000, 7 * 24 * 3_600_000),
  },
  {
    variable: 'REQUEST_TIMEOUT_MS',
    key: 'requestTimeoutMs',
    fallback: '30000',
    description: 'A whole request (headers and body) must arrive within this time, else 408.',
    parse: integerIn(1000, 3_600_000),
  },
  {
    variable: 'HEADERS_TIMEOUT_MS',
    key: 'headersTimeoutMs',
    fallback: '10000',
    description: 'Request headers must arrive within this time, else 408 (at most REQUEST_TIMEOUT_MS).',
    parse: integerIn(1000, 3_600_000),
  },
  {
    variable: 'KEEP_ALIVE_TIMEOUT_MS',
    key: 'keepAliveTimeoutMs',
    fallback: '5000',
    description: 'Idle keep-alive connections close after this time (set above a load balancer idle timeout).',
    parse: integerIn(0, 3_600_000),
  },
  {
    variable: 'MAX_CONNECTIONS',
    key: 'maxConnections',
    fallback: '0',
    description: 'Most concurrent connections; more are closed at once. 0: no limit.',
    parse: integerIn(0, 1_000_000),
  },
  {
    variable: 'EVENT_STREAM_MAX_CLIENTS',
    key: 'eventStreamMaxClients',
    fallback: String(DEFAULT_EVENT_STREAM_LIMITS.maxClients),
    description: 'Most event streams (SSE) open at once; past it a new one gets 503 with Retry-After.',
    parse: integerIn(1, 1_000_000),
  },
  {
    variable: 'EVENT_STREAM_BUFFER_BYTES',
    key: 'eventStreamBufferBytes',
    fallback: '256kb',
    description: 'Most bytes queued for one event-stream client; one further behind gets event: overflow and is closed.',
    parse: bytesBetween(16 * 1024, 64 * 1024 ** 2, '256kb'),
  },
  {
    variable: 'MEMORY_EVENT_RETENTION',
    key: 'memoryEventRetention',
    fallback: String(DEFAULT_MEMORY_EVENT_RETENTION),
    description: 'Recent change events the memory store keeps for resuming clients, with STORE=memory.',
    parse: integerIn(1, 10_000_000),
  },
  {
    variable: 'MEMORY_EVENT_RETENTION_BYTES',
    key: 'memoryEventRetentionBytes',
    fallback: `${DEFAULT_MEMORY_EVENT_RETENTION_BYTES / 1024 ** 2}mb`,
    description: 'Most bytes of recent change events (each about its session as JSON) the memory store keeps, with STORE=memory.',
    parse: bytesBetween(64 * 1024, 16 * 1024 ** 3, '64mb'),
  },
  {
    variable: 'IDEMPOTENCY_TTL',
    key: 'idempotencyTtlMs',
    fallback: '24h',
    description: 'How long a create with an Idempotency-Key header is remembered (s, m, h or d, such as 24h).',
    parse: (raw: string) => {
      const ms = parseDuration(raw);
      if (ms === undefined || ms > 365 * 86_400_000) throw new Error('must be a duration from 1s to 365d, such as 90s, 15m, 24h or 7d');
      return ms;
    },
  },
] as const satisfies ReadonlyArray<VariableSpec<keyof ServerConfig>>;

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** Reads and checks the configuration; every bad variable is reported, not only the first. */
export function loadConfig(env: NodeJS.ProcessEnv): { config?: ServerConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const config: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const spec of SPECS) {
    const raw = env[spec.variable] ?? spec.fallback;
    try {
      config[spec.key] = spec.parse(raw);
    } catch (error) {
      problems.push({ variable: spec.variable, message: `${spec.variable}=${JSON.stringify(raw)} ${(error as Error).message}.` });
    }
  }
  if (problems.length > 0) return { problems };
  const valid = config as ServerConfig;
  valid.apiKeyEntries = [];
  if (valid.apiKeysFile) {
    try {
      valid.apiKeyEntries = loadApiKeysFile(valid.apiKeysFile);
    } catch (error) {
      problems.push({ variable: 'API_KEYS_FILE', message: `API_KEYS_FILE: ${(error as Error).message}.` });
    }
  }
  const keysSet = valid.apiKeys.length > 0 || valid.apiKeysFile !== '';
  if (valid.authOff && keysSet) {
    problems.push({ variable: 'AUTH', message: 'AUTH=off and API_KEYS (or API_KEYS_FILE) contradict each other; set only one.' });
  }
  if (valid.store === 'postgres' && valid.databaseUrl === '') {
    problems.push({ variable: 'DATABASE_URL', message: 'STORE=postgres needs DATABASE_URL, such as postgres://user:password@host:5432/database.' });
  }
  if (valid.headersTimeoutMs > valid.requestTimeoutMs) {
    problems.push({ variable: 'HEADERS_TIMEOUT_MS', message: 'HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS.' });
  }
  if (!isLoopback(valid.host) && !keysSet && !valid.authOff) {
    problems.push({
      variable: 'HOST',
      message:
        `HOST=${valid.host} is reachable from other machines and no API_KEYS are set: refusing to serve ` +
        'sessions without authentication. Set API_KEYS, or AUTH=off to do so on purpose.',
    });
  }
  return problems.length > 0 ? { problems } : { config: valid, problems };
}

/** The `--help` text: every variable with its default. */
export function configHelp(): string {
  const width = Math.max(...SPECS.map((spec) => spec.variable.length));
  return SPECS.map((spec) => `  ${spec.variable.padEnd(width)} ${spec.description}${spec.fallback ? ` Default: ${spec.fallback}.` : ''}`).join('\n');
}
