import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** A metadata backend a suite runs against. */
export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Whether the suite must be skipped (PostgreSQL unreachable outside CI). */
  skip: boolean;
  /** A fresh, isolated database URL: a temp SQLite file, or a new PostgreSQL schema. */
  url(dir: string): string;
  /** Drops what `url` created. */
  cleanup(url: string): Promise<void>;
}

const pgUrl = (): string =>
  process.env['MARKETLAKE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Both metadata backends; every backend-dependent suite runs with `describe.each(backends)`. */
export const backends: TestBackend[] = [
  {
    name: 'sqlite',
    skip: false,
    url: (dir) => `sqlite:${dir}/meta.sqlite`,
    cleanup: () => Promise.resolve(),
  },
  {
    name: 'postgres',
    skip: process.env['MARKETLAKE_TEST_PG'] === '0' && process.env['CI'] !== 'true',
    url: () => `${pgUrl()}?schema=t_${randomBytes(6).toString('hex')}`,
    cleanup: async (url) => {
      const schema = new URL(url).searchParams.get('schema');
      if (!schema) return;
      const client = new pg.Client({ connectionString: pgUrl() });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  },
];
