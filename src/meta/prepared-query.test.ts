import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { backends } from '../../test/helpers/backends.js';
import { useMetaStore } from '../../test/helpers/meta-fixture.js';
import { preparedQuery, type QueryTarget } from './prepared-query.js';

const T0 = Date.parse('2024-03-15T12:00:00.000Z');

interface WorkerRow {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly slots: number;
  readonly heartbeat_at_ms: number;
  readonly started_at: string;
}

const worker = (id: string, slots: number): WorkerRow => ({
  id,
  host: 'h',
  pid: 1,
  slots,
  heartbeat_at_ms: T0,
  started_at: '2024-03-15T12:00:00.000Z',
});

describe.each(backends)('preparedQuery on $name', (backend) => {
  describe.skipIf(backend.skip)('statements compiled once per shape', () => {
    const fixture = useMetaStore(backend);
    const target = (): QueryTarget => ({ trx: fixture.meta.db, dialect: fixture.meta.dialect });

    let inserts = 0;
    const insertWorkers = preparedQuery((t: QueryTarget, rows: readonly WorkerRow[]) => {
      inserts += 1;
      return t.trx.insertInto('workers').values(rows);
    });
    let selects = 0;
    const slotsOf = preparedQuery((t: QueryTarget, ids: readonly string[], min: number) => {
      selects += 1;
      return t.trx
        .selectFrom('workers')
        .select(['id', 'slots'])
        .where('id', 'in', ids)
        .where('slots', '>=', min)
        .where('host', '=', 'h') // a constant of the builder stays in every execution
        .orderBy('id');
    });
    const touch = preparedQuery((t: QueryTarget, id: string, at: number) =>
      t.trx
        .updateTable('workers')
        .set({ heartbeat_at_ms: at })
        .where('id', '=', id)
        .returning(['id', 'heartbeat_at_ms']),
    );

    it('builds a statement once per shape and binds each call its own values', async () => {
      inserts = 0;
      selects = 0;
      await insertWorkers(target(), [worker('a', 1), worker('b', 2)]);
      await insertWorkers(target(), [worker('c', 3), worker('d', 4)]);
      await insertWorkers(target(), [worker('e', 5)]);
      expect(inserts).toBe(2); // two rows, then one
      expect(await slotsOf(target(), ['a', 'c', 'e'], 2)).toEqual([
        { id: 'c', slots: 3 },
        { id: 'e', slots: 5 },
      ]);
      expect(await slotsOf(target(), ['b', 'd', 'x'], 3)).toEqual([{ id: 'd', slots: 4 }]);
      expect(await slotsOf(target(), ['a'], 0)).toEqual([{ id: 'a', slots: 1 }]);
      expect(selects).toBe(2); // lists of three, then of one
      expect(await touch(target(), 'b', T0 + 5)).toEqual([{ id: 'b', heartbeat_at_ms: T0 + 5 }]);
      expect(await touch(target(), 'nobody', T0)).toEqual([]);
    });

    it('runs raw SQL compiled by the builder, and inside transactions', async () => {
      const count = preparedQuery((t: QueryTarget, min: number) =>
        sql<{ n: number }>`SELECT COUNT(*) AS n FROM workers WHERE slots >= ${min}`.compile(t.trx),
      );
      await insertWorkers(target(), [worker('a', 1), worker('b', 2), worker('c', 3)]);
      const n = await fixture.meta.transaction(async (trx) => {
        await touch({ trx, dialect: fixture.meta.dialect }, 'a', T0 + 1);
        return count({ trx, dialect: fixture.meta.dialect }, 2);
      });
      expect(n.map((r) => Number(r.n))).toEqual([2]);
      expect((await count(target(), 1)).map((r) => Number(r.n))).toEqual([3]);
    });

    it('refuses rows whose keys differ, which would change the statement', async () => {
      const { slots: _, ...noSlots } = worker('b', 2);
      await expect(
        insertWorkers(target(), [worker('a', 1), noSlots as unknown as WorkerRow]),
      ).rejects.toThrow(/same keys/);
    });
  });
});
