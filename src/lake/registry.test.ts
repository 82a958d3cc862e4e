import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { failure } from '../../test/helpers/errors.js';
import { withLake } from '../../test/helpers/with-lake.js';
import { LakeSchemaInvalidError, type DatasetSpec } from './index.js';
import { validateSpec } from './validate-spec.js';

const quotes: DatasetSpec = {
  name: 'quotes',
  description: 'Top-of-book quotes',
  columns: [
    { name: 'symbol', type: 'VARCHAR' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'bid', type: 'DOUBLE' },
    { name: 'ask', type: 'DOUBLE' },
    { name: 'size', type: 'BIGINT' },
    { name: 'halted', type: 'BOOLEAN' },
  ],
  primaryKey: ['symbol', 'ts'],
  partitioning: { kind: 'date', column: 'ts' },
  checks: [{ name: 'crossed', sql: 'bid <= ask', message: 'bid above ask' }],
};

/** A definition with one field broken, the message fragment that must name it. */
const invalid: { case: string; spec: DatasetSpec; names: string }[] = [
  {
    case: 'a name with capitals and a dash',
    spec: { ...quotes, name: 'Bad-Name' },
    names: 'name "Bad-Name" is invalid',
  },
  {
    case: 'a name starting with a digit',
    spec: { ...quotes, name: '1quotes' },
    names: 'name "1quotes" is invalid',
  },
  {
    case: 'no columns',
    spec: { ...quotes, columns: [], primaryKey: [], partitioning: { kind: 'none' }, checks: [] },
    names: 'it has no columns',
  },
  {
    case: 'a bad column name',
    spec: { ...quotes, columns: [...quotes.columns, { name: 'mid price', type: 'DOUBLE' }] },
    names: 'column name "mid price" is invalid',
  },
  {
    case: 'a duplicate column',
    spec: { ...quotes, columns: [...quotes.columns, { name: 'bid', type: 'DOUBLE' }] },
    names: 'column "bid" is declared twice',
  },
  {
    case: 'an unknown type',
    spec: { ...quotes, columns: [...quotes.columns, { name: 'venue', type: 'TEXT' as never }] },
    names: 'column "venue" has type "TEXT"',
  },
  {
    case: 'a primary key column that does not exist',
    spec: { ...quotes, primaryKey: ['symbol', 'time'] },
    names: 'primary key column "time" is not a column',
  },
  {
    case: 'an unknown partitioning kind',
    spec: { ...quotes, partitioning: { kind: 'hour', column: 'ts' } as never },
    names: 'partitioning "hour" is unknown',
  },
  {
    case: 'a partition column that does not exist',
    spec: { ...quotes, partitioning: { kind: 'month', column: 'day' } },
    names: 'partition column "day" is not a column',
  },
  {
    case: 'time partitioning on a non-date column',
    spec: { ...quotes, partitioning: { kind: 'year', column: 'symbol' } },
    names: '"symbol" is VARCHAR',
  },
  {
    case: 'a nullable column partition',
    spec: { ...quotes, partitioning: { kind: 'column', column: 'halted' } },
    names: 'partition column "halted" must be NOT NULL',
  },
  {
    case: 'a row check with a subquery',
    spec: { ...quotes, checks: [{ name: 'sneaky', sql: 'bid < (SELECT 1)', message: 'x' }] },
    names: 'row check "sneaky" uses a forbidden construct',
  },
  {
    case: 'a row check reading files',
    spec: {
      ...quotes,
      checks: [{ name: 'io', sql: "length(read_text('/etc/passwd')) > 0", message: 'x' }],
    },
    names: 'row check "io" uses a forbidden construct',
  },
  {
    case: 'a row check without a message',
    spec: { ...quotes, checks: [{ name: 'half', sql: 'bid > 0', message: '' }] },
    names: 'a row check lacks name, sql or message',
  },
];

describe.each(backends)('dataset registry on $name', (backend) => {
  it.skipIf(backend.skip)('registers the built-in market datasets declared in code', async () => {
    await withLake(backend, async ({ lake }) => {
      const all = await lake.datasets();
      expect(all.map((d) => d.name)).toEqual([
        'bars_1d',
        'bars_1m',
        'check_failures',
        'check_runs',
        'corporate_actions',
        'instruments',
      ]);
      expect(all.every((d) => d.builtin && d.headVersion === 0)).toBe(true);
      const bars = await lake.dataset('bars_1d');
      expect(bars.primaryKey).toEqual(['symbol', 'date']);
      expect(bars.partitioning).toEqual({ kind: 'year', column: 'date' });
      const types = Object.fromEntries(bars.columns.map((c) => [c.name, [c.type, c.nullable]]));
      expect(types).toMatchObject({
        symbol: ['VARCHAR', false],
        date: ['DATE', false],
        open: ['DOUBLE', false],
        high: ['DOUBLE', false],
        low: ['DOUBLE', false],
        close: ['DOUBLE', false],
        volume: ['DOUBLE', false],
      });
      expect((await lake.dataset('bars_1m')).partitioning).toEqual({ kind: 'date', column: 'ts' });
      expect((await lake.dataset('instruments')).primaryKey).toEqual(['exchange', 'symbol']);
      expect((await lake.dataset('corporate_actions')).primaryKey).toEqual([
        'symbol',
        'ex_date',
        'type',
      ]);
    });
  });

  it.skipIf(backend.skip)(
    'creates a user dataset with defaults applied, idempotently, and refuses a different definition under the same name',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const created = await lake.createDataset(quotes);
        expect(created).toMatchObject({
          name: 'quotes',
          description: 'Top-of-book quotes',
          builtin: false,
          headVersion: 0,
          primaryKey: ['symbol', 'ts'],
        });
        // Key columns are never nullable; other columns default to nullable.
        expect(created.columns.map((c) => [c.name, c.nullable])).toEqual([
          ['symbol', false],
          ['ts', false],
          ['bid', true],
          ['ask', true],
          ['size', true],
          ['halted', true],
        ]);
        expect(created.checks).toEqual(quotes.checks);
        expect(await lake.createDataset(quotes)).toMatchObject({ name: 'quotes', headVersion: 0 });
        expect((await lake.datasets()).map((d) => d.name)).toContain('quotes');

        const changed = await failure(lake.createDataset({ ...quotes, primaryKey: ['symbol'] }));
        expect(changed.code).toBe('LAKE_DATASET_EXISTS');
        expect(changed.message).toContain('"quotes" already exists with another definition');
        const builtin = await failure(lake.createDataset({ ...quotes, name: 'bars_1d' }));
        expect(builtin.code).toBe('LAKE_DATASET_EXISTS');

        // The row check applies to writes.
        const crossed = await failure(
          lake.write('quotes', {
            rows: [{ symbol: 'A', ts: '2024-01-02 09:30:00', bid: 10, ask: 9 }],
          }),
        );
        expect(crossed.code).toBe('LAKE_BAD_DATA');
        expect(crossed.message).toContain('row 1: bid above ask');
      });
    },
  );

  it.skipIf(backend.skip)(
    'registers the same definition from concurrent callers once',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const results = await Promise.all([1, 2, 3, 4].map(() => lake.createDataset(quotes)));
        expect(results.map((d) => d.name)).toEqual(['quotes', 'quotes', 'quotes', 'quotes']);
        expect((await lake.datasets()).filter((d) => d.name === 'quotes')).toHaveLength(1);
      });
    },
  );

  it.skipIf(backend.skip)(
    'refuses invalid definitions with LAKE_SCHEMA_INVALID and registers nothing',
    async () => {
      await withLake(backend, async ({ lake }) => {
        for (const { case: label, spec, names } of invalid) {
          const err = await failure(lake.createDataset(spec));
          expect(err.code, label).toBe('LAKE_SCHEMA_INVALID');
          expect(err.message, label).toContain(names);
        }
        expect((await lake.datasets()).map((d) => d.name)).toEqual([
          'bars_1d',
          'bars_1m',
          'check_failures',
          'check_runs',
          'corporate_actions',
          'instruments',
        ]);
      });
    },
  );

  it.skipIf(backend.skip)('names the known datasets when one is missing', async () => {
    await withLake(backend, async ({ lake }) => {
      const err = await failure(lake.dataset('bars_5m'));
      expect(err.code).toBe('LAKE_DATASET_NOT_FOUND');
      expect(err.message).toBe(
        'No dataset named "bars_5m". Known datasets: bars_1d, bars_1m, check_failures, check_runs, corporate_actions, instruments.',
      );
      expect((await failure(lake.read('bars_5m'))).code).toBe('LAKE_DATASET_NOT_FOUND');
      expect((await failure(lake.history('bars_5m'))).code).toBe('LAKE_DATASET_NOT_FOUND');
    });
  });
});

describe('dataset definition validation', () => {
  it.each(invalid)('refuses $case, naming the bad field and how to fix it', ({ spec, names }) => {
    let err: unknown;
    try {
      validateSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LakeSchemaInvalidError);
    const message = (err as Error).message;
    expect(message).toContain(`Dataset "${spec.name}": `);
    expect(message).toContain(names);
    // A second sentence says what to do.
    expect(message.slice(message.indexOf(names) + names.length)).toMatch(/\. [A-Z]/);
  });

  it('accepts every partitioning kind on a suitable column', () => {
    for (const partitioning of [
      { kind: 'none' },
      { kind: 'year', column: 'ts' },
      { kind: 'month', column: 'ts' },
      { kind: 'date', column: 'ts' },
      { kind: 'column', column: 'symbol' },
    ] as const) {
      expect(validateSpec({ ...quotes, partitioning }).partitioning).toEqual(partitioning);
    }
  });
});
