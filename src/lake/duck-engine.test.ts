import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../../test/helpers/temp-dir.js';
import { DuckEngine } from './duck-engine.js';

/** The settings a fresh connection of `engine` sees. */
async function settings(engine: DuckEngine, names: string[]): Promise<Record<string, unknown>> {
  return engine.withConnection(async (conn) => {
    const list = names.map((n) => `current_setting('${n}') AS "${n}"`).join(', ');
    return (await conn.runAndReadAll(`SELECT ${list}`)).getRowObjectsJson()[0]!;
  });
}

/** Runs `fn` with an engine (1 thread, 256MB) in a temp folder, a sandbox over it if asked. */
async function withEngine(
  sandbox: boolean,
  fn: (engine: DuckEngine, dir: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const engine = await DuckEngine.create({
      tempDir: path.join(dir, 'tmp'),
      memoryLimit: '256MB',
      threads: 1,
      ...(sandbox ? { sandboxRoots: [dir] } : {}),
    });
    try {
      await fn(engine, dir);
    } finally {
      engine.close();
    }
  });
}

describe('DuckEngine', () => {
  it('applies its settings to every connection, not only to the one that set them', async () => {
    await withEngine(false, async (engine, dir) => {
      const got = await settings(engine, [
        'parquet_metadata_cache',
        'threads',
        'temp_directory',
        'TimeZone',
        'memory_limit',
      ]);
      expect(got['parquet_metadata_cache']).toBe(true);
      expect(got['threads']).toBe('1');
      expect(got['temp_directory']).toBe(path.join(dir, 'tmp'));
      expect(got['TimeZone']).toBe('UTC');
      expect(String(got['memory_limit'])).toMatch(/^2[0-9.]+ MiB$/);
    });
  });

  it('a sandbox engine keeps external access off and its configuration locked on new connections', async () => {
    await withEngine(true, async (engine) => {
      const got = await settings(engine, ['enable_external_access', 'lock_configuration']);
      expect(got).toEqual({ enable_external_access: false, lock_configuration: true });
      await expect(
        engine.withConnection((conn) => conn.run('SET enable_external_access = true')),
      ).rejects.toThrow(/locked/i);
    });
  });
});
