/** The effective configuration of a marketlake process, after defaults, file, env and flags. */
export interface MarketlakeConfig {
  /** Project folder (holds marketlake.config.ts and pipelines/). */
  project: string;
  /** Folder for everything marketlake writes (metadata, lake, logs); default `<project>/.marketlake`. */
  home: string;
  /** Metadata database: `sqlite:<path>` (embedded) or `postgres://...` (cluster). */
  databaseUrl: string;
  /** Root folder of the Parquet lake; default `<home>/lake`. */
  lakePath: string;
  /** Interface the API listens on. */
  host: string;
  /** Port the API listens on. */
  port: number;
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Days a superseded dataset version is kept before `lake vacuum` removes its files. */
  retentionDays: number;
  /** Files smaller than this are merged by `lake compact`. */
  compactSmallFileBytes: number;
  /** DuckDB memory limit, e.g. `1GB`; beyond it DuckDB spills to `<home>/tmp`. */
  duckdbMemoryLimit: string;
  /** DuckDB worker threads (0: one per core). */
  duckdbThreads: number;
  /** Named secrets (API keys); never printed, served or logged. */
  secrets: Record<string, string>;
  /** Attempts a worker (or the embedded platform) runs at once; 0 means one per CPU core. */
  workerSlots: number;
  /** Cluster-wide slot limits of concurrency pools, e.g. { 'krx-api': 2 }. */
  pools: Record<string, number>;
  /** How long a worker's claim on an attempt lasts without a heartbeat; a dead worker's attempts are re-queued after it. */
  attemptLeaseMs: number;
  /** Days a finished run (attempts, events, logs) is kept; 0 keeps them forever. */
  runRetentionDays: number;
  /** Drop the synthetic demo market's files into the project's inbox while the platform runs. */
  demoFeed: boolean;
}

/** What a user writes in marketlake.config.ts (every key optional). */
export type UserConfig = Partial<Omit<MarketlakeConfig, 'project'>>;

/** Where a configuration value came from, in increasing order of precedence. */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

type ScalarKey = Exclude<keyof MarketlakeConfig, 'secrets' | 'project'>;

/** Describes one scalar configuration key: its variable, what it accepts and how to parse it. */
export interface KeySpec {
  key: ScalarKey;
  env: string;
  accepts: string;
  /** Parses a raw value (string from env/flags, or any from the file); returns undefined when invalid. */
  parse: (raw: unknown) => unknown;
  secret?: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseInteger(min: number, max: number) {
  return (raw: unknown): number | undefined => {
    const n =
      typeof raw === 'number'
        ? raw
        : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)
          ? Number(raw)
          : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };
}

function parseNonEmptyString(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}

/** Every scalar key, in the order `marketlake config` prints them. */
export const keySpecs: readonly KeySpec[] = [
  { key: 'home', env: 'MARKETLAKE_HOME', accepts: 'a folder path', parse: parseNonEmptyString },
  {
    key: 'databaseUrl',
    env: 'MARKETLAKE_DATABASE_URL',
    accepts: 'sqlite:<path> or postgres://user@host:port/db',
    parse: (raw) => {
      const s = parseNonEmptyString(raw);
      return s && /^(sqlite:.|postgres(ql)?:\/\/.)/.test(s) ? s : undefined;
    },
    secret: true,
  },
  {
    key: 'lakePath',
    env: 'MARKETLAKE_LAKE_PATH',
    accepts: 'a folder path',
    parse: parseNonEmptyString,
  },
  {
    key: 'host',
    env: 'MARKETLAKE_HOST',
    accepts: 'a host name or IP address such as 127.0.0.1',
    parse: parseNonEmptyString,
  },
  {
    key: 'port',
    env: 'MARKETLAKE_PORT',
    accepts: 'an integer from 0 to 65535',
    parse: parseInteger(0, 65535),
  },
  {
    key: 'logLevel',
    env: 'MARKETLAKE_LOG_LEVEL',
    accepts: LOG_LEVELS.join(', '),
    parse: (raw) => (typeof raw === 'string' && LOG_LEVELS.includes(raw) ? raw : undefined),
  },
  {
    key: 'retentionDays',
    env: 'MARKETLAKE_RETENTION_DAYS',
    accepts: 'an integer number of days from 0 to 36500',
    parse: parseInteger(0, 36500),
  },
  {
    key: 'compactSmallFileBytes',
    env: 'MARKETLAKE_COMPACT_SMALL_FILE_BYTES',
    accepts: 'an integer number of bytes >= 1',
    parse: parseInteger(1, Number.MAX_SAFE_INTEGER),
  },
  {
    key: 'duckdbMemoryLimit',
    env: 'MARKETLAKE_DUCKDB_MEMORY_LIMIT',
    accepts: 'a size such as 512MB or 2GB',
    parse: (raw) =>
      typeof raw === 'string' && /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(raw.trim())
        ? raw.trim()
        : undefined,
  },
  {
    key: 'duckdbThreads',
    env: 'MARKETLAKE_DUCKDB_THREADS',
    accepts: 'an integer from 0 (one per core) to 1024',
    parse: parseInteger(0, 1024),
  },
  {
    key: 'workerSlots',
    env: 'MARKETLAKE_WORKER_SLOTS',
    accepts: 'an integer from 0 (one per core) to 1024',
    parse: parseInteger(0, 1024),
  },
  {
    key: 'attemptLeaseMs',
    env: 'MARKETLAKE_ATTEMPT_LEASE_MS',
    accepts: 'milliseconds from 1000 to 3600000 (a dead worker is noticed after this long)',
    parse: parseInteger(1000, 3_600_000),
  },
  {
    key: 'runRetentionDays',
    env: 'MARKETLAKE_RUN_RETENTION_DAYS',
    accepts: 'an integer number of days from 0 (keep forever) to 36500',
    parse: parseInteger(0, 36500),
  },
  {
    key: 'demoFeed',
    env: 'MARKETLAKE_DEMO_FEED',
    accepts: 'true or false',
    parse: (raw) =>
      raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined,
  },
  {
    key: 'pools',
    env: 'MARKETLAKE_POOLS',
    accepts: "pool slot limits: { 'krx-api': 2 } in the file, or krx-api=2,yahoo=4",
    parse: parsePools,
  },
];

/** Parses `{ name: slots }` or 'name=slots,name=slots' into pool limits. */
function parsePools(raw: unknown): Record<string, number> | undefined {
  const entries: [string, unknown][] =
    typeof raw === 'string'
      ? raw
          .split(',')
          .filter((part) => part.trim() !== '')
          .map((part) => {
            const [name = '', slots = ''] = part.split('=');
            return [name.trim(), slots.trim()];
          })
      : typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? Object.entries(raw)
        : [];
  if (typeof raw !== 'string' && entries.length === 0 && typeof raw !== 'object') return undefined;
  const pools: Record<string, number> = {};
  for (const [name, value] of entries) {
    const slots = parseInteger(1, 100_000)(value);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name) || slots === undefined) return undefined;
    pools[name] = slots;
  }
  return pools;
}

/** Prefix of environment variables that define secrets: `MARKETLAKE_SECRET_KRX_KEY` -> `KRX_KEY`. */
export const SECRET_ENV_PREFIX = 'MARKETLAKE_SECRET_';

/** Defaults that do not depend on the project folder. */
export const staticDefaults = {
  host: '127.0.0.1',
  port: 7420,
  logLevel: 'info',
  retentionDays: 7,
  compactSmallFileBytes: 32 * 1024 * 1024,
  duckdbMemoryLimit: '512MB',
  duckdbThreads: 0,
  workerSlots: 0,
  pools: {},
  attemptLeaseMs: 30_000,
  runRetentionDays: 90,
  demoFeed: false,
} as const satisfies Partial<MarketlakeConfig>;
