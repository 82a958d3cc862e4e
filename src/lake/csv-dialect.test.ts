import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { withTempDir } from '../../test/helpers/temp-dir.js';
import { withLake } from '../../test/helpers/with-lake.js';
import { sniffCsvDialect } from './csv-dialect.js';

const sqlite = backends[0]!;

/** `count` bars, 1,000 days per symbol (S0, S1, ...), one CSV line each, `sep` between fields. */
function bars(count: number, sep: string): string[] {
  const out: string[] = [];
  const day = Date.UTC(2000, 0, 3);
  for (let i = 0; i < count; i++) {
    const date = new Date(day + (i % 1000) * 86_400_000).toISOString().slice(0, 10);
    out.push([date, '10', '12', '9', '11', String(1000 + i), `S${Math.floor(i / 1000)}`].join(sep));
  }
  return out;
}

describe('CSV dialect sniffing', () => {
  it('reads columns and dialect from a sample of a gzip file, and the scan then skips its own sniff', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'bars.tsv.gz');
      writeFileSync(
        file,
        gzipSync(['date\topen\thigh\tlow\tclose\tvolume\tsymbol', ...bars(10, '\t')].join('\r\n')),
      );
      const instance = await DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      try {
        const dialect = await sniffCsvDialect(conn, file, {});
        expect(dialect?.columns.join(',')).toBe('date,open,high,low,close,volume,symbol');
        expect(dialect?.options).toContain('auto_detect = false');
        expect(dialect?.options).toContain("delim = '\t'");
        const rows = await conn.runAndReadAll(
          `SELECT count(*)::INTEGER AS n, max(volume) AS v FROM read_csv('${file}', ${dialect?.options.join(', ')})`,
        );
        expect(rows.getRowObjectsJson()).toEqual([{ n: 10, v: '1009' }]);
        expect(await sniffCsvDialect(conn, path.join(dir, 'missing.csv.gz'), {})).toBeUndefined();
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    });
  });

  it.skipIf(sqlite.skip)(
    'imports a large gzip file whose quoted fields only start after the sniffed sample',
    async () => {
      await withLake(sqlite, async ({ lake, dir }) => {
        // ~3.3 MiB of text: the first 2 MiB hold no quote, so the sample sniffs "no quote".
        const plain = bars(70_000, ',');
        const quoted = ['2030-01-02,10,12,9,11,5,"BRK,B"', '2030-01-03,10,12,9,11,6,"say ""hi"""'];
        const file = path.join(dir, 'late-quotes.csv.gz');
        writeFileSync(
          file,
          gzipSync(['date,open,high,low,close,volume,symbol', ...plain, ...quoted, ''].join('\n')),
        );
        const result = await lake.import('bars_1d', [file]);
        expect(result.rowsImported).toBe(70_002);
        expect(result.rowsQuarantined).toBe(0);
        const late = await lake.query(
          `SELECT symbol, volume FROM bars_1d WHERE date >= DATE '2030-01-01' ORDER BY date`,
        );
        expect(late.rows).toEqual([
          { symbol: 'BRK,B', volume: 5 },
          { symbol: 'say "hi"', volume: 6 },
        ]);
      });
    },
  );
});
