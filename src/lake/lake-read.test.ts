import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { bar, days } from '../../test/helpers/bars.js';
import { failure } from '../../test/helpers/errors.js';
import { withLake } from '../../test/helpers/with-lake.js';

describe.each(backends)('lake reads on $name', (backend) => {
  it.skipIf(backend.skip)(
    'selects columns, filters by value and range, orders and limits',
    async () => {
      await withLake(backend, async ({ lake }) => {
        const dates = days('2023-12-27', 10);
        await lake.write('bars_1d', {
          rows: ['AAPL', 'MSFT'].flatMap((s, k) =>
            dates.map((d, i) => bar(s, d, { close: 100 * (k + 1) + i })),
          ),
        });

        const ranged = await lake.read('bars_1d', {
          columns: ['date', 'close'],
          where: { symbol: 'MSFT', date: { from: '2023-12-30', to: '2024-01-02' } },
        });
        expect(ranged.rows).toEqual([
          { date: '2023-12-30', close: 203 },
          { date: '2023-12-31', close: 204 },
          { date: '2024-01-01', close: 205 },
          { date: '2024-01-02', close: 206 },
        ]);
        const top = await lake.read('bars_1d', {
          columns: ['symbol', 'close'],
          orderBy: ['close'],
          where: { close: { from: 105 } },
          limit: 3,
        });
        expect(top.rows).toEqual([
          { symbol: 'AAPL', close: 105 },
          { symbol: 'AAPL', close: 106 },
          { symbol: 'AAPL', close: 107 },
        ]);
        // Filter values arrive as text from the CLI and API and are cast to the column's type.
        expect(
          (await lake.read('bars_1d', { where: { close: '109', date: '2024-01-05' } })).rows.map(
            (r) => r['symbol'],
          ),
        ).toEqual(['AAPL']);
        expect((await lake.read('bars_1d', { where: { symbol: 'NOPE' } })).rows).toEqual([]);

        const unknown = await failure(lake.read('bars_1d', { columns: ['symbol', 'price'] }));
        expect(unknown.code).toBe('LAKE_SCHEMA_INVALID');
        expect(unknown.message).toContain('no column "price"');
        expect(
          (await failure(lake.read('bars_1d', { where: { ticker: 'AAPL' } }))).message,
        ).toContain('no column "ticker"');
        expect((await failure(lake.read('bars_1d', { orderBy: ['px'] }))).message).toContain(
          'no column "px"',
        );
        const badDate = await failure(
          lake.read('bars_1d', { where: { symbol: 'AAPL', date: '2024-02-30' } }),
        );
        expect(badDate.code).toBe('LAKE_QUERY_FAILED');
        expect(badDate.message).toContain('date field value out of range: "2024-02-30"');
        expect(badDate.message).toContain('Check the filter values');
        expect(badDate.message).not.toContain('damaged');
        // Values are bound as parameters, never spliced into SQL.
        expect((await lake.read('bars_1d', { where: { symbol: "AAPL' OR '1'='1" } })).rows).toEqual(
          [],
        );
      });
    },
  );

  it.skipIf(backend.skip)(
    'skips files by key range without losing rows, whatever the key type and filter text',
    async () => {
      await withLake(backend, async ({ lake }) => {
        await lake.createDataset({
          name: 'orders',
          columns: [
            { name: 'id', type: 'BIGINT' },
            { name: 'ts', type: 'TIMESTAMP' },
            { name: 'qty', type: 'INTEGER' },
          ],
          primaryKey: ['id'],
          partitioning: { kind: 'month', column: 'ts' },
        });
        // Two files: ids 2..20 in January, 100..900 in February.
        await lake.write('orders', {
          rows: [
            { id: 2, ts: '2024-01-03 10:00:00', qty: 1 },
            { id: 10, ts: '2024-01-04 10:00:00', qty: 2 },
            { id: 20, ts: '2024-01-05 10:00:00', qty: 3 },
            { id: 100, ts: '2024-02-01 10:00:00', qty: 4 },
            { id: 900, ts: '2024-02-02 10:00:00', qty: 5 },
          ],
        });
        expect((await lake.files('orders')).map((f) => [f.minKey, f.maxKey])).toEqual([
          [[2], [20]],
          [[100], [900]],
        ]);
        // As text, '10' sorts before '2' and '100' after '20': pruning must compare numbers.
        for (const [id, qty] of [
          ['10', 2],
          ['100', 4],
          ['900', 5],
          [10, 2],
          [2, 1],
        ] as const) {
          expect(
            (await lake.read('orders', { where: { id } })).rows.map((r) => r['qty']),
            `id ${id}`,
          ).toEqual([qty]);
        }
        expect((await lake.read('orders', { where: { id: '50' } })).rows).toEqual([]);

        await lake.createDataset({
          name: 'events',
          columns: [
            { name: 'ts', type: 'TIMESTAMP' },
            { name: 'kind', type: 'VARCHAR' },
          ],
          primaryKey: ['ts'],
          partitioning: { kind: 'none' },
        });
        await lake.write('events', {
          rows: [
            { ts: '2024-01-02 09:30:00', kind: 'open' },
            { ts: '2024-01-02 16:00:00', kind: 'close' },
          ],
        });
        // An ISO timestamp with 'T' is the same instant as the stored text with a space.
        expect(
          (await lake.read('events', { where: { ts: '2024-01-02T16:00:00' } })).rows.map(
            (r) => r['kind'],
          ),
        ).toEqual(['close']);
      });
    },
  );
});
