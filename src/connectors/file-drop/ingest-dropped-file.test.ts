import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { backends } from '../../../test/helpers/backends.js';
import { sharedFile } from '../../../test/helpers/shared-data.js';
import { withLake } from '../../../test/helpers/with-lake.js';
import { ingestDroppedFile } from './ingest-dropped-file.js';
import { parseVendorMapping } from './vendor-mapping.js';

// KRX-style daily file (Korean names, YYYYMMDD dates) from the shared reference data.
const krxFile = sharedFile('krx/005930_D.csv.gz');
const krxLines = krxFile ? gunzipSync(readFileSync(krxFile)).toString('utf8').split('\n') : [];
const now = () => new Date('2024-01-05T09:30:00Z');

const krxDaily = parseVendorMapping({
  vendor: 'krx-daily',
  dataset: 'bars_1d',
  columns: { symbol: 'code' },
  dateFormat: '%Y%m%d',
});

function inbox(dir: string, name: string, text: string): string {
  mkdirSync(path.join(dir, 'inbox'), { recursive: true });
  const file = path.join(dir, 'inbox', name);
  writeFileSync(file, text);
  return file;
}

describe.each(backends)('ingestDroppedFile ($name)', (backend) => {
  it.skipIf(backend.skip || !krxFile)(
    'imports a KRX file, quarantines bad rows by line, archives the original',
    async () => {
      await withLake(backend, async ({ lake, dir }) => {
        const lines = [krxLines[0]!, ...krxLines.slice(7999, 8009)];
        lines[3] = '20220804,61700,61800,abc,61500,9125439,005930,005930,삼성전자,D'; // line 4: low is not a number
        lines[6] = '20220809,60600,59000,59600,60000,18251170,005930,005930,삼성전자,D'; // line 7: high < low
        lines[8] = ',58000,59000,57000,58500,100,005930,005930,삼성전자,D'; // line 9: blank date
        const file = inbox(dir, 'krx_005930_20240105.csv', `${lines.join('\n')}\n`);
        const res = await ingestDroppedFile(lake, file, krxDaily, { now });
        expect(res).toMatchObject({
          vendor: 'krx-daily',
          dataset: 'bars_1d',
          rowsImported: 7,
          rowsQuarantined: 3,
          rowsUnadjusted: 0,
        });
        expect(res.normalizedPath).toBeUndefined();
        expect(res.quarantined.map((q) => [q.line, q.reason])).toEqual([
          [4, 'low: "abc" is not a valid DOUBLE'],
          [7, 'high < low'],
          [9, 'date is blank'],
        ]);
        expect(res.archivedPath).toBe(
          path.join(dir, 'inbox', 'archive', '2024', '01', '05', 'krx_005930_20240105.csv'),
        );
        expect(existsSync(file)).toBe(false);
        expect(readFileSync(res.archivedPath, 'utf8')).toContain('삼성전자');
        expect(res.quarantined[0]!.sourceFile).toBe(res.archivedPath);
        const rows = await lake.query(
          'SELECT symbol, CAST(date AS VARCHAR) AS d, close, source FROM bars_1d ORDER BY date LIMIT 2',
        );
        expect(rows.rows).toEqual([
          { symbol: '005930', d: '2022-08-02', close: 61700, source: 'file:krx-daily' },
          { symbol: '005930', d: '2022-08-03', close: 61300, source: 'file:krx-daily' },
        ]);
        // The same file again (a vendor re-sends it): upserted, no duplicates; archived under a new name.
        const again = await ingestDroppedFile(
          lake,
          inbox(dir, 'krx_005930_20240105.csv', `${lines.join('\n')}\n`),
          krxDaily,
          { now },
        );
        expect(again.archivedPath).not.toBe(res.archivedPath);
        expect((await lake.query('SELECT count(*) AS n FROM bars_1d')).rows[0]).toEqual({ n: '7' });
      });
    },
  );

  it.skipIf(backend.skip)(
    'reads JSON lines with cents, epoch dates in Asia/Seoul and mangled codes, keeping line numbers',
    async () => {
      await withLake(backend, async ({ lake, dir }) => {
        const mapping = parseVendorMapping({
          vendor: 'vendor-x',
          columns: {
            symbol: 'ticker',
            date: 'ts',
            open: 'o',
            high: 'h',
            low: 'l',
            close: 'c',
            volume: 'v',
          },
          timezone: 'Asia/Seoul',
          priceScale: 0.01,
          symbols: { padTo: 6 },
        });
        const text = [
          // 2024-01-03T15:30:00Z is 2024-01-04 00:30 in Seoul.
          '{"ticker": 5930, "ts": 1704295800000, "o": 7850000, "h": 7880000, "l": 7700000, "c": 7700000, "v": 21753644}',
          '',
          '{"ticker": "5930", "ts": "2024-01-02T06:30:00Z", "o": 7820000, "h": 7860000, "l": 7790000, "c": 7810000, "v": 1000}',
          '{"ticker": "5930", "ts": 1704382200, "o": 7700000, "h": "n/a"',
          '{"ticker": "660", "ts": "2024-01-03T06:30:00+09:00", "o": 14040000, "h": 14050000, "l": 13730000, "c": 13830000, "v": 3937349}',
        ].join('\n');
        const res = await ingestDroppedFile(
          lake,
          inbox(dir, 'prices.jsonl', `${text}\n`),
          mapping,
          { now },
        );
        expect(res).toMatchObject({ rowsImported: 3, rowsQuarantined: 1 });
        // The quarantine names the normalized copy, where the bad JSON line is one quoted field.
        expect(res.quarantined[0]).toMatchObject({ line: 4, sourceFile: res.normalizedPath });
        expect(res.quarantined[0]!.raw).toBe(
          `"${'{"ticker": "5930", "ts": 1704382200, "o": 7700000, "h": "n/a"'.replaceAll('"', '""')}"`,
        );
        expect(res.normalizedPath).toBe(`${res.archivedPath}.normalized.csv`);
        const rows = await lake.query(
          'SELECT symbol, CAST(date AS VARCHAR) AS d, open, close, volume FROM bars_1d ORDER BY symbol, date',
        );
        expect(rows.rows).toEqual([
          { symbol: '000660', d: '2024-01-03', open: 140400, close: 138300, volume: 3937349 },
          { symbol: '005930', d: '2024-01-02', open: 78200, close: 78100, volume: 1000 },
          { symbol: '005930', d: '2024-01-04', open: 78500, close: 77000, volume: 21753644 },
        ]);
      });
    },
  );

  it.skipIf(backend.skip || !krxFile)(
    'undoes a split-adjusted vendor file with the corporate actions in the lake (TSV)',
    async () => {
      await withLake(backend, async ({ lake, dir }) => {
        await lake.write('corporate_actions', {
          rows: [{ symbol: '005930', ex_date: '2018-05-04', type: 'split', value: 50 }],
        });
        // The reference file's history is split-adjusted: 2018-04-27 reads 53,000 (2,650,000 / 50).
        const lines = [krxLines[0]!, ...krxLines.slice(6949, 6956)].map((l) =>
          l.replaceAll(',', '\t'),
        );
        const mapping = parseVendorMapping({
          ...krxDaily,
          vendor: 'krx-adjusted',
          adjustments: 'split',
        });
        const res = await ingestDroppedFile(
          lake,
          inbox(dir, 'samsung.tsv', `${lines.join('\n')}\n`),
          mapping,
          { now },
        );
        expect(res).toMatchObject({ rowsImported: 7, rowsQuarantined: 0, rowsUnadjusted: 5 });
        const rows = await lake.query(
          "SELECT CAST(date AS VARCHAR) AS d, close, volume FROM bars_1d WHERE date BETWEEN '2018-04-26' AND '2018-05-08' ORDER BY date",
        );
        expect(rows.rows).toEqual([
          { d: '2018-04-26', close: 2_607_000, volume: 360_931 },
          { d: '2018-04-27', close: 2_650_000, volume: 606_216 },
          { d: '2018-04-30', close: 2_650_000, volume: 0 },
          { d: '2018-05-02', close: 2_650_000, volume: 0 },
          { d: '2018-05-03', close: 2_650_000, volume: 0 },
          { d: '2018-05-04', close: 51_900, volume: 39_565_392 },
          { d: '2018-05-08', close: 52_600, volume: 23_104_720 },
        ]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'moves a file it cannot ingest to failed/ with an .error.txt and says why',
    async () => {
      await withLake(backend, async ({ lake, dir }) => {
        const file = inbox(dir, 'wrong.csv', 'day,price\n20240102,100\n');
        const err = await ingestDroppedFile(lake, file, krxDaily, { now }).catch((e: unknown) => e);
        expect(err).toMatchObject({
          code: 'CONNECTOR_FILE_REJECTED',
          details: { code: 'CONNECTOR_MAPPING_INVALID' },
        });
        const failed = path.join(dir, 'inbox', 'failed');
        expect(readdirSync(failed).sort()).toEqual(['wrong.csv', 'wrong.csv.error.txt']);
        expect(readFileSync(path.join(failed, 'wrong.csv.error.txt'), 'utf8')).toMatch(
          /code: CONNECTOR_MAPPING_INVALID\nerror: Vendor krx-daily: "columns" maps symbol to "code", which the file does not have. The file's columns are: day, price./,
        );
        expect(readdirSync(path.join(dir, 'inbox', 'archive', '2024', '01', '05'))).toEqual([]);
      });
    },
  );
});

describe('vendor mappings', () => {
  it('name the bad fields', () => {
    expect(() =>
      parseVendorMapping({ vendor: 'X', timezone: 'Mars/Olympus', colums: {} }, 'krx.json'),
    ).toThrow(
      /krx.json is invalid: .*vendor: use lower-case.*colums.*timezone: "Mars\/Olympus" is not an IANA time zone/s,
    );
    expect(() =>
      parseVendorMapping({
        vendor: 'v',
        dataset: 'series_1d',
        adjustments: 'split',
        dateFormat: '%Y-%b',
      }),
    ).toThrow(/adjustments: only bars_1d.*dateFormat: unsupported %b/);
  });
});
