import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../../../test/helpers/temp-dir.js';
import { ConfigInvalidError, ConfigLoadError, MarketlakeError } from '../errors.js';
import { CONFIG_FILE, describeConfig, loadConfig, redactUrl } from './load-config.js';

/*
 * loadConfig: defaults < marketlake.config.ts < MARKETLAKE_* variables < flags, with every value
 * validated and every secret redacted. Each test gets a fresh project folder without
 * node_modules, and an explicit `env` so the test runner's own variables do not leak in.
 */

let project: string;

beforeEach(() => {
  project = makeTempDir();
});

afterEach(() => {
  removeDir(project);
});

function writeConfig(body: string, dir = project): string {
  const file = path.join(dir, CONFIG_FILE);
  writeFileSync(
    file,
    `import { defineConfig } from 'marketlake';\n\nexport default defineConfig(${body});\n`,
  );
  return file;
}

/** Runs `fn`, expects it to reject with a marketlake error and returns that error. */
async function rejection(fn: () => Promise<unknown>): Promise<MarketlakeError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MarketlakeError);
    return err as MarketlakeError;
  }
  throw new Error('expected a rejection');
}

describe('loadConfig defaults', () => {
  it('uses the defaults when there is no file, no variable and no flag', async () => {
    const { config, sources, file } = await loadConfig({ project, env: {} });
    expect(file).toBeUndefined();
    expect(config.project).toBe(path.resolve(project));
    expect(config.home).toBe(path.join(project, '.marketlake'));
    expect(config.lakePath).toBe(path.join(project, '.marketlake', 'lake'));
    expect(config.databaseUrl).toBe(`sqlite:${path.join(project, '.marketlake', 'meta.sqlite')}`);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 7420,
      logLevel: 'info',
      retentionDays: 7,
      compactSmallFileBytes: 32 * 1024 * 1024,
      duckdbMemoryLimit: '512MB',
      duckdbThreads: 0,
      secrets: {},
    });
    for (const key of [
      'home',
      'databaseUrl',
      'lakePath',
      'host',
      'port',
      'logLevel',
      'retentionDays',
      'compactSmallFileBytes',
      'duckdbMemoryLimit',
      'duckdbThreads',
      'workerSlots',
      'attemptLeaseMs',
      'runRetentionDays',
      'demoFeed',
      'pools',
    ]) {
      expect(sources[key], key).toBe('default');
    }
  });
});

describe('loadConfig precedence', () => {
  it('reads marketlake.config.ts that imports defineConfig from "marketlake" without node_modules', async () => {
    const file = writeConfig(
      `{ port: 8100, home: 'data', retentionDays: 30, logLevel: 'debug', duckdbMemoryLimit: '512MB' }`,
    );
    const { config, sources, file: loadedFile } = await loadConfig({ project, env: {} });
    expect(loadedFile).toBe(file);
    expect(config.port).toBe(8100);
    expect(config.retentionDays).toBe(30);
    expect(config.logLevel).toBe('debug');
    expect(config.duckdbMemoryLimit).toBe('512MB');
    // A relative home in the file is relative to the project; the lake and database follow it.
    expect(config.home).toBe(path.join(project, 'data'));
    expect(config.lakePath).toBe(path.join(project, 'data', 'lake'));
    expect(config.databaseUrl).toBe(`sqlite:${path.join(project, 'data', 'meta.sqlite')}`);
    expect(sources).toMatchObject({
      port: 'file',
      home: 'file',
      retentionDays: 'file',
      logLevel: 'file',
      host: 'default',
      lakePath: 'default',
    });
  });

  it('lets MARKETLAKE_* variables override the file', async () => {
    writeConfig(`{ port: 8100, retentionDays: 30 }`);
    const home = path.join(project, 'elsewhere');
    const { config, sources } = await loadConfig({
      project,
      env: { MARKETLAKE_PORT: '8200', MARKETLAKE_HOME: home, MARKETLAKE_DUCKDB_THREADS: '4' },
    });
    expect(config.port).toBe(8200);
    expect(config.home).toBe(home);
    expect(config.duckdbThreads).toBe(4);
    expect(config.retentionDays).toBe(30);
    expect(sources).toMatchObject({
      port: 'env',
      home: 'env',
      duckdbThreads: 'env',
      retentionDays: 'file',
      host: 'default',
    });
  });

  it('lets flags override variables and the file', async () => {
    writeConfig(`{ port: 8100, host: '0.0.0.0' }`);
    const { config, sources } = await loadConfig({
      project,
      env: { MARKETLAKE_PORT: '8200', MARKETLAKE_LOG_LEVEL: 'warn' },
      flags: { port: 8300 },
    });
    expect(config.port).toBe(8300);
    expect(config.logLevel).toBe('warn');
    expect(config.host).toBe('0.0.0.0');
    expect(sources).toMatchObject({ port: 'flag', logLevel: 'env', host: 'file', project: 'flag' });
  });

  it('parses string flags the way the CLI passes them', async () => {
    const { config, sources } = await loadConfig({
      project,
      env: {},
      flags: { port: '0' as unknown as number },
    });
    expect(config.port).toBe(0);
    expect(sources['port']).toBe('flag');
  });

  it('resolves relative home and lake paths from variables and flags against the current folder', async () => {
    const { config } = await loadConfig({
      project,
      env: { MARKETLAKE_HOME: 'rel-home' },
      flags: { lakePath: 'rel-lake' },
    });
    expect(config.home).toBe(path.resolve('rel-home'));
    expect(config.lakePath).toBe(path.resolve('rel-lake'));
  });

  it('resolves relative paths in the file against the project folder', async () => {
    writeConfig(`{ lakePath: 'shared/lake', databaseUrl: 'sqlite:db/meta.sqlite' }`);
    const { config, sources } = await loadConfig({ project, env: {} });
    expect(config.home).toBe(path.join(project, '.marketlake'));
    expect(config.lakePath).toBe(path.join(project, 'shared', 'lake'));
    expect(config.databaseUrl).toBe(`sqlite:${path.join(project, 'db', 'meta.sqlite')}`);
    expect(sources).toMatchObject({ home: 'default', lakePath: 'file', databaseUrl: 'file' });
  });

  it('keeps an explicit PostgreSQL URL and resolves a relative sqlite flag against the current folder', async () => {
    const pgUrl = 'postgres://app:s3cret@db.example:5432/market?schema=ml';
    const pg = await loadConfig({ project, env: { MARKETLAKE_DATABASE_URL: pgUrl } });
    expect(pg.config.databaseUrl).toBe(pgUrl);
    expect(pg.sources['databaseUrl']).toBe('env');
    const sqlite = await loadConfig({
      project,
      env: {},
      flags: { databaseUrl: 'sqlite:meta2.sqlite' },
    });
    expect(sqlite.config.databaseUrl).toBe(`sqlite:${path.resolve('meta2.sqlite')}`);
    expect(sqlite.sources['databaseUrl']).toBe('flag');
    const memory = await loadConfig({
      project,
      env: { MARKETLAKE_DATABASE_URL: 'sqlite::memory:' },
    });
    expect(memory.config.databaseUrl).toBe('sqlite::memory:');
  });
});

describe('loadConfig validation', () => {
  it('rejects a non-numeric port from the environment, naming key, value, variable and range', async () => {
    const err = await rejection(() => loadConfig({ project, env: { MARKETLAKE_PORT: 'abc' } }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('port');
    expect(err.message).toContain('"abc"');
    expect(err.message).toContain('MARKETLAKE_PORT');
    expect(err.message).toContain('0 to 65535');
    expect(err.details).toMatchObject({ key: 'port', value: 'abc', source: 'env' });
  });

  it('rejects an out-of-range port in the file, naming the file', async () => {
    const file = writeConfig(`{ port: 70000 }`);
    const err = await rejection(() => loadConfig({ project, env: {} }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('port');
    expect(err.message).toContain('70000');
    expect(err.message).toContain(file);
    expect(err.message).toContain('0 to 65535');
    expect(err.details).toMatchObject({ key: 'port', value: 70000, source: 'file' });
  });

  it('rejects a bad flag, naming the flag', async () => {
    const err = await rejection(() =>
      loadConfig({ project, env: {}, flags: { retentionDays: -1 } }),
    );
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('retentionDays');
    expect(err.message).toContain('-1');
    expect(err.message).toContain('--retention-days');
    expect(err.message).toMatch(/Accepted: an integer number of days/);
  });

  it('rejects an unknown key in the file and lists the accepted keys', async () => {
    const file = writeConfig(`{ prot: 7420 } as never`);
    const err = await rejection(() => loadConfig({ project, env: {} }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('"prot"');
    expect(err.message).toContain('7420');
    expect(err.message).toContain(file);
    expect(err.message).toContain('port');
    expect(err.message).toContain('databaseUrl');
    expect(err.details).toMatchObject({ key: 'prot', file });
  });

  it('rejects a project folder that does not exist', async () => {
    const missing = path.join(project, 'no-such-project');
    const err = await rejection(() => loadConfig({ project: missing, env: {} }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain(missing);
    expect(err.message).toContain('marketlake init');
    expect(err.details).toMatchObject({ key: 'project', source: 'flag' });
  });

  it('rejects an empty sqlite path', async () => {
    const err = await rejection(() =>
      loadConfig({ project, env: {}, flags: { databaseUrl: 'sqlite:' } }),
    );
    expect(err.message).toContain('--database-url');
  });

  it('does not echo the value of a misspelt secret-like key', async () => {
    writeConfig(`{ secret: { KRX_KEY: 'topsecret-value' } } as never`);
    const err = await rejection(() => loadConfig({ project, env: {} }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('"secret"');
    expect(err.message).toContain('secrets');
    expect(err.message).not.toContain('topsecret-value');
  });

  it('rejects a database URL that is neither sqlite: nor postgres://', async () => {
    const err = await rejection(() =>
      loadConfig({ project, env: { MARKETLAKE_DATABASE_URL: 'mysql://root@localhost/db' } }),
    );
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('databaseUrl');
    expect(err.message).toContain('mysql://root@localhost/db');
    expect(err.message).toContain('MARKETLAKE_DATABASE_URL');
    expect(err.message).toContain('sqlite:<path> or postgres://');
  });

  it('does not print the password of a rejected database URL', async () => {
    const err = await rejection(() =>
      loadConfig({
        project,
        env: { MARKETLAKE_DATABASE_URL: 'mysql://root:hunter2@localhost/db' },
      }),
    );
    expect(err.message).not.toContain('hunter2');
    expect(JSON.stringify(err.details)).not.toContain('hunter2');
    expect(err.message).toContain('MARKETLAKE_DATABASE_URL');
  });

  it('rejects an unknown log level and lists the levels', async () => {
    writeConfig(`{ logLevel: 'verbose' } as never`);
    const err = await rejection(() => loadConfig({ project, env: {} }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('logLevel');
    expect(err.message).toContain('"verbose"');
    expect(err.message).toContain(CONFIG_FILE);
    expect(err.message).toContain('fatal, error, warn, info, debug, trace, silent');
  });

  it('rejects a secret that is not a string', async () => {
    writeConfig(`{ secrets: { KRX_KEY: 42 } } as never`);
    const err = await rejection(() => loadConfig({ project, env: {} }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('secrets.KRX_KEY');
    expect(err.message).not.toContain('42');
  });

  it('rejects a file whose default export is not an object', async () => {
    writeFileSync(path.join(project, CONFIG_FILE), 'export default 42;\n');
    const err = await rejection(() => loadConfig({ project, env: {} }));
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err.message).toContain('defineConfig');
  });

  it('reports a config file with a syntax error as CONFIG_LOAD_FAILED naming the file', async () => {
    const file = path.join(project, CONFIG_FILE);
    writeFileSync(
      file,
      `import { defineConfig } from 'marketlake';\nexport default defineConfig({ port: 7420, \n`,
    );
    const err = await rejection(() => loadConfig({ project, env: {} }));
    expect(err).toBeInstanceOf(ConfigLoadError);
    expect(err.code).toBe('CONFIG_LOAD_FAILED');
    expect(err.message).toContain(file);
    expect(err.details).toMatchObject({ file });
  });
});

describe('secrets and redaction', () => {
  it('merges secrets from the file and MARKETLAKE_SECRET_<NAME>, the variable winning', async () => {
    writeConfig(
      `{ secrets: { KRX_KEY: 'from-file-1234', SLACK_HOOK: 'https://hooks.example/abc' } }`,
    );
    const loaded = await loadConfig({
      project,
      env: { MARKETLAKE_SECRET_KRX_KEY: 'from-env-5678', MARKETLAKE_SECRET_OTHER: 'other-9999' },
    });
    expect(loaded.config.secrets).toEqual({
      KRX_KEY: 'from-env-5678',
      SLACK_HOOK: 'https://hooks.example/abc',
      OTHER: 'other-9999',
    });
    expect(loaded.sources).toMatchObject({
      'secrets.KRX_KEY': 'env',
      'secrets.SLACK_HOOK': 'file',
      'secrets.OTHER': 'env',
    });

    const rows = describeConfig(loaded);
    const text = JSON.stringify(rows);
    for (const secret of ['from-file-1234', 'from-env-5678', 'hooks.example', 'other-9999'])
      expect(text).not.toContain(secret);
    expect(rows.filter((r) => r.key.startsWith('secrets.'))).toEqual([
      { key: 'secrets.KRX_KEY', value: '[redacted]', source: 'env' },
      { key: 'secrets.OTHER', value: '[redacted]', source: 'env' },
      { key: 'secrets.SLACK_HOOK', value: '[redacted]', source: 'file' },
    ]);
  });

  it('redacts the database password in describeConfig', async () => {
    const loaded = await loadConfig({
      project,
      env: { MARKETLAKE_DATABASE_URL: 'postgres://app:s3cret@db.example:5432/market?schema=ml' },
    });
    const rows = describeConfig(loaded);
    const db = rows.find((r) => r.key === 'databaseUrl');
    expect(db).toEqual({
      key: 'databaseUrl',
      value: 'postgres://app:***@db.example:5432/market?schema=ml',
      source: 'env',
    });
    expect(JSON.stringify(rows)).not.toContain('s3cret');
  });

  it('describes every key once, in a stable order, with its source', async () => {
    writeConfig(`{ port: 8100 }`);
    const rows = describeConfig(
      await loadConfig({
        project,
        env: { MARKETLAKE_RETENTION_DAYS: '3' },
        flags: { host: '0.0.0.0' },
      }),
    );
    expect(rows.map((r) => r.key)).toEqual([
      'project',
      'home',
      'databaseUrl',
      'lakePath',
      'host',
      'port',
      'logLevel',
      'retentionDays',
      'compactSmallFileBytes',
      'duckdbMemoryLimit',
      'duckdbThreads',
      'workerSlots',
      'attemptLeaseMs',
      'runRetentionDays',
      'demoFeed',
      'pools',
    ]);
    expect(rows.find((r) => r.key === 'port')).toEqual({
      key: 'port',
      value: '8100',
      source: 'file',
    });
    expect(rows.find((r) => r.key === 'retentionDays')).toEqual({
      key: 'retentionDays',
      value: '3',
      source: 'env',
    });
    expect(rows.find((r) => r.key === 'host')).toEqual({
      key: 'host',
      value: '0.0.0.0',
      source: 'flag',
    });
  });

  it('redactUrl hides passwords in the user part and in the query string', () => {
    expect(redactUrl('postgres://u:p%40ss@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgresql://u:pw@h/db?schema=x')).toBe('postgresql://u:***@h/db?schema=x');
    expect(redactUrl('postgres://u@h/db?password=pw&schema=x')).toBe(
      'postgres://u@h/db?password=***&schema=x',
    );
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/test')).toBe(
      'postgres://postgres@127.0.0.1:5432/test',
    );
    expect(redactUrl('sqlite:/tmp/meta.sqlite')).toBe('sqlite:/tmp/meta.sqlite');
  });
});

describe('config file in a nested project', () => {
  it('loads the file of the given project, not of the current folder', async () => {
    const nested = path.join(project, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    writeConfig(`{ port: 9001 }`, nested);
    const { config, file } = await loadConfig({ project: nested, env: {} });
    expect(config.port).toBe(9001);
    expect(file).toBe(path.join(nested, CONFIG_FILE));
    expect(config.home).toBe(path.join(nested, '.marketlake'));
  });
});
