import { describe, expect, it } from 'vitest';
import { sqlString, withDuck } from '../../test/helpers/duck.js';
import type { DatasetSpec } from './dataset-spec.js';
import {
  escapePartitionValue,
  normalizePartition,
  partitionKeySql,
  partitionKeyType,
  partitionSql,
} from './partitions.js';

const spec = (partitioning: DatasetSpec['partitioning']): DatasetSpec => ({
  name: 't',
  columns: [
    { name: 'sym', type: 'VARCHAR', nullable: false },
    { name: 'ts', type: 'TIMESTAMP', nullable: false },
  ],
  primaryKey: ['sym', 'ts'],
  partitioning,
});

describe('partition folder names', () => {
  it('escapes characters that are unsafe in a path the way Hive does, and nothing else', () => {
    expect(escapePartitionValue('BRK.B')).toBe('BRK.B');
    expect(escapePartitionValue('A/B')).toBe('A%2FB');
    expect(escapePartitionValue('100%')).toBe('100%25');
    expect(escapePartitionValue('k=v')).toBe('k%3Dv');
    expect(escapePartitionValue("it's")).toBe('it%27s');
    expect(escapePartitionValue('a\\b:c')).toBe('a%5Cb%3Ac');
    expect(escapePartitionValue('line\nbreak\ttab')).toBe('line%0Abreak%09tab');
    expect(escapePartitionValue('삼성전자 005930')).toBe('삼성전자 005930');
    // '%' is escaped once, not again after the other escapes.
    expect(escapePartitionValue('%2F/')).toBe('%252F%2F');
  });

  it('normalizes user-given partitions to folder names for every partitioning kind', () => {
    expect(normalizePartition(spec({ kind: 'none' }), 'anything')).toBe('');
    expect(normalizePartition(spec({ kind: 'year', column: 'ts' }), '2024')).toBe('year=2024');
    expect(normalizePartition(spec({ kind: 'year', column: 'ts' }), 'year=2024')).toBe('year=2024');
    expect(normalizePartition(spec({ kind: 'month', column: 'ts' }), '2024-02')).toBe(
      'month=2024-02',
    );
    expect(normalizePartition(spec({ kind: 'date', column: 'ts' }), '2024-02-29')).toBe(
      'date=2024-02-29',
    );
    expect(normalizePartition(spec({ kind: 'column', column: 'sym' }), 'A/B')).toBe('sym=A%2FB');
    expect(normalizePartition(spec({ kind: 'column', column: 'sym' }), 'sym=A%2FB')).toBe(
      'sym=A%2FB',
    );
  });

  it('computes in SQL exactly the folder names the TypeScript escaping gives', async () => {
    const values = [
      'BRK.B',
      'A/B',
      '100%',
      'k=v',
      "it's",
      'a\\b:c',
      'q"uote',
      'line\nbreak\r\ttab',
      '#?*[]^{}',
      '%2F/',
    ];
    await withDuck(async (duck) => {
      const sqlFor = partitionSql(spec({ kind: 'column', column: 'sym' }));
      const list = values.map((v, i) => `(${i}, ${sqlString(v)})`).join(', ');
      const got = await duck.rows(
        `SELECT i, ${sqlFor} AS part FROM (VALUES ${list}) AS v(i, sym) ORDER BY i`,
      );
      expect(got.map((r) => r['part'])).toEqual(
        values.map((v) => `sym=${escapePartitionValue(v)}`),
      );

      const time = await duck.rows(
        `SELECT ${partitionSql(spec({ kind: 'year', column: 'ts' }))} AS y, ${partitionSql(spec({ kind: 'month', column: 'ts' }))} AS m, ${partitionSql(spec({ kind: 'date', column: 'ts' }))} AS d, ${partitionSql(spec({ kind: 'none' }))} AS n FROM (SELECT TIMESTAMP '2024-02-29 23:59:59' AS ts)`,
      );
      expect(time).toEqual([{ y: 'year=2024', m: 'month=2024-02', d: 'date=2024-02-29', n: '' }]);
    });
  });

  it('gives two rows the same staging key exactly when they share a folder', async () => {
    // Timestamps around year, month and day boundaries, from 1 AD to 9999, every 7h 13m for a
    // stretch, and two of them on one day.
    const stamps = [
      "TIMESTAMP '0001-01-01 00:00:00'",
      "TIMESTAMP '0999-12-31 23:59:59'",
      "TIMESTAMP '1999-12-31 23:59:59.999999'",
      "TIMESTAMP '2000-01-01 00:00:00'",
      "TIMESTAMP '2024-02-29 00:00:01'",
      "TIMESTAMP '2024-02-29 23:59:59'",
      "TIMESTAMP '9999-12-31 23:59:59'",
    ];
    const gridded = `SELECT TIMESTAMP '2023-11-25 00:00:00' + INTERVAL (i * 433) MINUTE AS ts FROM range(400) t(i)`;
    await withDuck(async (duck) => {
      for (const kind of ['year', 'month', 'date'] as const) {
        const s = spec({ kind, column: 'ts' });
        const rows = await duck.rows(
          `SELECT count(DISTINCT name)::INTEGER AS names, count(DISTINCT key)::INTEGER AS keys, count(DISTINCT (name, key))::INTEGER AS pairs, any_value(typeof(key)) AS type FROM (SELECT ${partitionSql(s)} AS name, ${partitionKeySql(s)} AS key FROM (${stamps.map((t) => `SELECT ${t} AS ts`).join(' UNION ALL ')} UNION ALL ${gridded}))`,
        );
        const row = rows[0] ?? {};
        expect(row['names'], kind).toBe(row['keys']);
        expect(row['pairs'], kind).toBe(row['keys']);
        expect(row['type'], kind).toBe(partitionKeyType(s));
      }
    });
  });
});
