import { DuckDBInstance, version } from '@duckdb/node-api';

/** DuckDB library version (e.g. `v1.5.6`), for the report. */
export function duckdbVersion() {
  return version();
}

/**
 * An in-memory DuckDB with the settings the lake uses (1 GB memory limit, spill folder, all
 * cores), so raw peers differ from marketlake only in what they do, not in how DuckDB is tuned.
 * @param {{ tempDir: string, memoryLimit?: string, threads?: number }} options
 */
export async function openDuck(options) {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  await conn.run(`SET memory_limit = ${quote(options.memoryLimit ?? '512MB')}`);
  if (options.threads) await conn.run(`SET threads = ${options.threads}`);
  await conn.run(`SET temp_directory = ${quote(options.tempDir)}`);
  return { instance, conn };
}

/** SQL string literal. */
export function quote(text) {
  return `'${String(text).replace(/'/g, "''")}'`;
}
