import pg from 'pg';

/**
 * Decides once per test run whether PostgreSQL is reachable. In CI (CI=true) an unreachable
 * server is an error, so that no backend suite silently skips itself.
 */
export default async function setup(): Promise<void> {
  const url = process.env['MARKETLAKE_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  process.env['MARKETLAKE_TEST_PG_URL'] = url;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env['MARKETLAKE_TEST_PG'] = '1';
  } catch (err) {
    if (process.env['CI'] === 'true') {
      throw new Error(`PostgreSQL is required in CI but ${url} is unreachable: ${String(err)}`);
    }
    process.env['MARKETLAKE_TEST_PG'] = '0';
    console.warn(
      `PostgreSQL at ${url} is unreachable: PostgreSQL suites are skipped (they fail in CI).`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
