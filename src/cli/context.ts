import {
  ConfigInvalidError,
  createLogger,
  loadConfig,
  UsageError,
  type LoadedConfig,
  type Logger,
  type UserConfig,
} from '../core/index.js';
import type { Lake } from '../lake/index.js';
import type { MetaStore } from '../meta/index.js';

/** Flags every command accepts (configuration overrides). */
export interface GlobalFlags {
  project?: string;
  home?: string;
  databaseUrl?: string;
  lakePath?: string;
  logLevel?: string;
}

/** An open home: configuration, metadata store and lake; close it when done. */
export interface CliContext {
  loaded: LoadedConfig;
  store: MetaStore;
  lake: Lake;
  logger: Logger;
  close(): Promise<void>;
}

/** Configuration overrides from global flags. */
export function flagsToConfig(flags: GlobalFlags & { port?: string; host?: string }): UserConfig {
  const out: Record<string, unknown> = {};
  if (flags.home !== undefined) out['home'] = flags.home;
  if (flags.databaseUrl !== undefined) out['databaseUrl'] = flags.databaseUrl;
  if (flags.lakePath !== undefined) out['lakePath'] = flags.lakePath;
  if (flags.logLevel !== undefined) out['logLevel'] = flags.logLevel;
  if (flags.port !== undefined) out['port'] = flags.port;
  if (flags.host !== undefined) out['host'] = flags.host;
  return out;
}

/** Loads the configuration of `--project` and applies flags over env over file; a bad flag value is a usage error (exit 2). */
export async function loadCliConfig(
  flags: GlobalFlags & { port?: string; host?: string },
): Promise<LoadedConfig> {
  try {
    return await loadConfig({ project: flags.project, flags: flagsToConfig(flags) });
  } catch (err) {
    if (err instanceof ConfigInvalidError && err.details['source'] === 'flag')
      throw new UsageError(err.message, { cause: err, details: err.details });
    throw err;
  }
}

/** Opens the metadata store (migrating it) and the lake of the configured home. */
export async function openContext(flags: GlobalFlags, loaded?: LoadedConfig): Promise<CliContext> {
  const cfg = loaded ?? (await loadCliConfig(flags));
  const c = cfg.config;
  const logger = createLogger({ level: c.logLevel === 'info' ? 'warn' : c.logLevel });
  // Loaded here, not at the top, so that --help, init and config start without DuckDB and the drivers.
  const [{ openMetaStore }, { Lake }] = await Promise.all([
    import('../meta/index.js'),
    import('../lake/index.js'),
  ]);
  const store = await openMetaStore(c.databaseUrl);
  let lake: Lake;
  try {
    lake = await Lake.open({
      store,
      root: c.lakePath,
      tempDir: `${c.home}/tmp/duckdb`,
      memoryLimit: c.duckdbMemoryLimit,
      threads: c.duckdbThreads,
      logger,
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    loaded: cfg,
    store,
    lake,
    logger,
    close: async () => {
      lake.close();
      await store.close();
    },
  };
}

/** Runs `fn` with an open context and always closes it. */
export async function withContext<T>(
  flags: GlobalFlags,
  fn: (ctx: CliContext) => Promise<T>,
): Promise<T> {
  const ctx = await openContext(flags);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
