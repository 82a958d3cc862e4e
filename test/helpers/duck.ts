import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

/** A plain in-memory DuckDB, independent of the lake, for inspecting files as other engines would. */
export interface Duck {
  /** Runs `sql` and returns JSON-safe row objects. */
  rows(sql: string, params?: DuckDBValue[]): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** Opens an in-memory DuckDB with one thread (row order of a single file is its stored order). */
export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  return {
    rows: async (sql, params) => (await conn.runAndReadAll(sql, params)).getRowObjectsJson(),
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs `fn` with a fresh in-memory DuckDB and closes it afterwards. */
export async function withDuck<T>(fn: (duck: Duck) => Promise<T>): Promise<T> {
  const duck = await openDuck();
  try {
    return await fn(duck);
  } finally {
    duck.close();
  }
}

/** A DuckDB string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
