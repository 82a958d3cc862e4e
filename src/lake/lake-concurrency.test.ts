import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinDatasets } from './builtins.js';
import { backends } from '../../test/helpers/backends.js';
import { bar, days } from '../../test/helpers/bars.js';
import { distModule, runNode, type ChildResult } from '../../test/helpers/dist.js';
import { makeTempDir, removeDir } from '../../test/helpers/temp-dir.js';
import { withLake } from '../../test/helpers/with-lake.js';
import { openMetaStore } from '../meta/index.js';
import { Lake } from './index.js';

/** Node code that opens the lake (built dist/) and runs `body` with `lake` in scope. */
function lakeScript(url: string, root: string, body: string): string {
  return `
    const { openMetaStore } = await import(${JSON.stringify(distModule('meta/index.js'))});
    const { Lake } = await import(${JSON.stringify(distModule('lake/index.js'))});
    const store = await openMetaStore(${JSON.stringify(url)});
    const lake = await Lake.open({ store, root: ${JSON.stringify(root)}, threads: 1, memoryLimit: '256MB' });
    try { ${body} } finally { lake.close(); await store.close(); }`;
}

function runScript(script: string): Promise<ChildResult> {
  return runNode(['--input-type=module', '-e', script], { timeoutMs: 60_000 });
}

/** 400 daily bars of `symbol` spanning 2020 and 2021, as the child writes them. */
function barsOf(symbol: string): ReturnType<typeof bar>[] {
  return days('2020-06-01', 400).map((d, i) => bar(symbol, d, { close: i + 1 }));
}

describe.each(backends)('lake concurrency on $name', (backend) => {
  it.skipIf(backend.skip)(
    'two processes writing to the same dataset at once both succeed, one version each, all rows present',
    async () => {
      await withLake(backend, async ({ lake, url, root }) => {
        const write = (symbol: string): string =>
          lakeScript(
            url,
            root,
            `const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2020, 5, 1 + i)).toISOString().slice(0, 10));
           const rows = days.map((date, i) => ({ symbol: ${JSON.stringify(symbol)}, date, open: 10, high: 12, low: 9, close: i + 1, volume: 1000 }));
           const r = await lake.write('bars_1d', { rows }, { writer: ${JSON.stringify(`proc-${symbol}`)} });
           console.log(JSON.stringify({ version: r.version, rows: r.rowsWritten }));`,
          );
        const children = await Promise.all([runScript(write('A')), runScript(write('B'))]);
        for (const c of children) {
          expect(c.stderr).toBe('');
          expect(c.code).toBe(0);
        }
        const outputs = children.map(
          (c) => JSON.parse(c.stdout) as { version: number; rows: number },
        );
        expect(outputs.map((o) => o.version).sort()).toEqual([1, 2]);
        expect(outputs.map((o) => o.rows)).toEqual([400, 400]);

        const history = await lake.history('bars_1d');
        expect(history.map((v) => v.version)).toEqual([2, 1]);
        expect(history.map((v) => v.writer).sort()).toEqual(['proc-A', 'proc-B']);
        expect(history[0]!.rows).toBe(800);
        // The second writer merged with the first one's files instead of overwriting them.
        const rows = (await lake.read('bars_1d', { columns: ['symbol', 'date', 'close'] })).rows;
        expect(rows).toEqual(
          [...barsOf('A'), ...barsOf('B')].map((b) => ({
            symbol: b.symbol,
            date: b.date,
            close: b.close,
          })),
        );
        expect((await lake.files('bars_1d')).map((f) => [f.partition, f.rows])).toEqual([
          ['year=2020', 2 * 214],
          ['year=2021', 2 * 186],
        ]);
      });
    },
  );

  it.skipIf(backend.skip)(
    'processes opening a fresh lake at once all succeed and register the datasets once',
    async () => {
      const dir = makeTempDir();
      const url = backend.url(dir);
      try {
        const spec = {
          name: 'signals',
          columns: [{ name: 'id', type: 'INTEGER' }],
          primaryKey: ['id'],
          partitioning: { kind: 'none' },
        };
        const script = lakeScript(
          url,
          path.join(dir, 'lake'),
          `await lake.createDataset(${JSON.stringify(spec)}); console.log((await lake.datasets()).length);`,
        );
        const children = await Promise.all([1, 2, 3].map(() => runScript(script)));
        for (const c of children) {
          expect(c.stderr).toBe('');
          expect(c.code).toBe(0);
          expect(c.stdout.trim()).toBe(String(builtinDatasets.length + 1));
        }
        const store = await openMetaStore(url);
        try {
          const lake = await Lake.open({ store, root: path.join(dir, 'lake'), threads: 1 });
          try {
            expect((await lake.datasets()).map((d) => d.name)).toEqual([
              'bars_1d',
              'bars_1m',
              'check_failures',
              'check_runs',
              'corporate_actions',
              'instruments',
              'signals',
            ]);
          } finally {
            lake.close();
          }
        } finally {
          await store.close();
        }
      } finally {
        await backend.cleanup(url);
        removeDir(dir);
      }
    },
  );

  it.skipIf(backend.skip)('concurrent writes from one process serialize as well', async () => {
    await withLake(backend, async ({ lake, store, root }) => {
      const other = await Lake.open({ store, root, threads: 1 });
      try {
        const results = await Promise.all([
          lake.write('bars_1d', { rows: barsOf('A') }),
          other.write('bars_1d', { rows: barsOf('B') }),
          lake.write('bars_1d', { rows: barsOf('C') }),
        ]);
        expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3]);
        expect((await lake.read('bars_1d')).rows).toHaveLength(1200);
        expect((await other.read('bars_1d', { where: { symbol: 'B' } })).rows).toHaveLength(400);
      } finally {
        other.close();
      }
    });
  });
});
