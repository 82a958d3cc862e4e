import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../../../test/helpers/temp-dir.js';
import { formatDiagnostic } from './diagnostics.js';
import { topologicalOrder } from './graph.js';
import { loadProject } from './load-project.js';

/** Writes `files` (path relative to the project -> lines) into `dir`. */
function writeProject(dir: string, files: Record<string, string[]>): void {
  for (const [name, lines] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
  }
}

const BAD_PROJECT: Record<string, string[]> = {
  'pipelines/good.ts': [
    "import { asset, schedule, sessions, staticPartitions } from 'marketlake';",
    "import type { AssetContext } from 'marketlake';",
    '',
    'export const dailyBars = asset({',
    "  name: 'daily_bars',",
    "  partitions: sessions('XNYS', { start: '2024-01-02' }),",
    '  run: async (ctx: AssetContext) => ctx.reportRows(0),',
    '});',
    '',
    "export const perRegion = ['us', 'kr', 'jp'].map((region) =>",
    "  asset({ name: `bars_${region}`, deps: [dailyBars], sql: `SELECT * FROM daily_bars WHERE region = '${region}'` }),",
    ');',
    '',
    'export const reports = {',
    "  weekly: asset({ name: 'weekly_report', deps: ['bars_us'], command: 'python weekly.py' }),",
    "  monthly: asset({ name: 'monthly_report', deps: ['bars_us'], command: ['python', 'monthly.py'] }),",
    '};',
    '',
    "export const nightly = schedule({ name: 'nightly', cron: '30 18 * * 1-5', calendar: 'XNYS', select: dailyBars });",
    'export const helper = (x: number): number => x * 2;',
    "export const SYMBOLS = staticPartitions(['AAPL', 'MSFT']);",
  ],
  'pipelines/syntax.ts': [
    "import { asset } from 'marketlake';",
    '',
    "export const broken = asset({ name: 'broken', run: () => {",
    '  const x = ;',
    '}});',
  ],
  'pipelines/missing.ts': [
    "import { asset } from 'marketlake';",
    "import { parseKrx } from './lib/krx-parser.js';",
    '',
    "export const krx = asset({ name: 'krx_bars', run: () => parseKrx() });",
  ],
  'pipelines/dup_a.ts': [
    "import { asset } from 'marketlake';",
    '',
    "export const prices = asset({ name: 'prices', sql: 'SELECT 1 AS x' });",
  ],
  'pipelines/dup_b.ts': [
    "import { asset } from 'marketlake';",
    '',
    '// Someone copied prices into a second file.',
    "export const prices = asset({ name: 'prices', sql: 'SELECT 2 AS x' });",
  ],
  'pipelines/typo.ts': [
    "import { asset } from 'marketlake';",
    '',
    'export const signals = asset({',
    "  name: 'signals',",
    "  deps: ['daly_bars'],",
    '  run: () => undefined,',
    '});',
  ],
  'pipelines/cycle.ts': [
    "import { asset } from 'marketlake';",
    '',
    "export const first = asset({ name: 'cycle_a', deps: ['cycle_b'], sql: 'SELECT 1' });",
    "export const second = asset({ name: 'cycle_b', deps: ['cycle_a'], sql: 'SELECT 1' });",
    "export const after = asset({ name: 'after_cycle', deps: ['cycle_b'], sql: 'SELECT 1' });",
  ],
  'pipelines/cron.ts': [
    "import { asset, schedule } from 'marketlake';",
    '',
    "export const hourly = asset({ name: 'hourly', run: () => undefined });",
    'export const every = schedule({',
    "  name: 'every_hour',",
    "  cron: '0 */1 * *',",
    "  timezone: 'UTC',",
    '  select: hourly,',
    '});',
  ],
  'pipelines/sched.ts': [
    "import { schedule } from 'marketlake';",
    '',
    "export default schedule({ name: 'weekly', cron: '0 9 * * 1', timezone: 'UTC', select: ['daily_barz'] });",
  ],
  'pipelines/_lib.ts': ['throw new Error("helpers are not loaded as pipeline files");'],
  'pipelines/README.md': ['# not code'],
};

describe('loadProject', () => {
  it('reports each bad file and definition with file, line and fix, and serves the rest', async () => {
    await withTempDir(async (dir) => {
      writeProject(dir, BAD_PROJECT);
      const project = await loadProject(dir);

      expect(project.files).toEqual([
        'pipelines/cron.ts',
        'pipelines/cycle.ts',
        'pipelines/dup_a.ts',
        'pipelines/dup_b.ts',
        'pipelines/good.ts',
        'pipelines/missing.ts',
        'pipelines/sched.ts',
        'pipelines/syntax.ts',
        'pipelines/typo.ts',
      ]);
      expect(project.assets.map((a) => a.name)).toEqual([
        'prices',
        'daily_bars',
        'bars_us',
        'bars_kr',
        'bars_jp',
        'weekly_report',
        'monthly_report',
      ]);
      expect(project.assets.find((a) => a.name === 'prices')?.task).toEqual({
        type: 'sql',
        sql: 'SELECT 1 AS x',
      });
      expect(project.schedules.map((s) => s.name)).toEqual(['nightly']);
      expect(project.locations.get('asset:bars_kr')).toEqual({
        file: 'pipelines/good.ts',
        line: 11,
      });
      expect(project.locations.get('asset:monthly_report')).toEqual({
        file: 'pipelines/good.ts',
        line: 16,
      });
      expect(project.locations.get('schedule:nightly')).toEqual({
        file: 'pipelines/good.ts',
        line: 19,
      });

      const summary = project.diagnostics.map(({ code, file, line, column }) => ({
        code,
        file,
        line,
        column,
      }));
      expect(summary).toEqual([
        { code: 'PIPELINES_INVALID_CRON', file: 'pipelines/cron.ts', line: 4, column: undefined },
        { code: 'PIPELINES_CYCLE', file: 'pipelines/cycle.ts', line: 3, column: undefined },
        {
          code: 'PIPELINES_UPSTREAM_INVALID',
          file: 'pipelines/cycle.ts',
          line: 5,
          column: undefined,
        },
        {
          code: 'PIPELINES_DUPLICATE_ASSET',
          file: 'pipelines/dup_b.ts',
          line: 4,
          column: undefined,
        },
        { code: 'PIPELINES_LOAD_FAILED', file: 'pipelines/missing.ts', line: 2, column: undefined },
        { code: 'PIPELINES_UNKNOWN_ASSET', file: 'pipelines/sched.ts', line: 3, column: undefined },
        { code: 'PIPELINES_LOAD_FAILED', file: 'pipelines/syntax.ts', line: 4, column: 13 },
        {
          code: 'PIPELINES_UNKNOWN_DEPENDENCY',
          file: 'pipelines/typo.ts',
          line: 3,
          column: undefined,
        },
      ]);
      const [cron, cycle, downstream, duplicate, missing, unknownAsset, syntax, typo] =
        project.diagnostics;
      expect(cron?.message).toBe(
        'Schedule "every_hour": invalid cron expression "0 */1 * *" (invalid configuration format (\'0 */1 * *\'), exactly five, six, or seven space separated parts are required).',
      );
      expect(cron?.fix).toMatch(/^Use 5 fields .* \(pipelines\/cron\.ts:4\)$/);
      expect(cycle?.message).toBe(
        'Assets form a dependency cycle: cycle_a -> cycle_b -> cycle_a (-> means "depends on").',
      );
      expect(cycle?.related).toEqual([{ file: 'pipelines/cycle.ts', line: 4 }]);
      expect(downstream?.message).toBe(
        'Asset "after_cycle" is not loaded because its upstream asset "cycle_b" has an error (PIPELINES_CYCLE).',
      );
      expect(duplicate?.message).toBe(
        'Asset "prices" is defined twice: at pipelines/dup_a.ts:3 and at pipelines/dup_b.ts:4.',
      );
      expect(duplicate?.fix).toContain('the definition at pipelines/dup_a.ts:3 is used');
      expect(duplicate?.related).toEqual([{ file: 'pipelines/dup_a.ts', line: 3 }]);
      expect(missing?.message).toBe(
        "pipelines/missing.ts imports './lib/krx-parser.js', which cannot be found.",
      );
      expect(missing?.fix).toMatch(
        /^Check the path: pipelines\/lib\/krx-parser\.js does not exist/,
      );
      expect(unknownAsset?.message).toBe(
        'Schedule "weekly" selects "daily_barz", but no asset matches. Did you mean "daily_bars"?',
      );
      expect(syntax?.message).toMatch(/^Syntax error in pipelines\/syntax\.ts: Unexpected token/);
      expect(syntax?.fix).toContain('pipelines/syntax.ts:4:13');
      expect(typo?.message).toBe(
        'Asset "signals" depends on "daly_bars", which no pipeline file defines. Did you mean "daily_bars"?',
      );
      expect(typo?.definition).toBe('signals');
      for (const d of project.diagnostics) {
        expect(d.severity).toBe('error');
        expect(d.fix.length).toBeGreaterThan(10);
        expect(formatDiagnostic(d)).toMatch(new RegExp(`^${d.file.replace('.', '\\.')}:${d.line}`));
      }
    });
  });

  it('reports a missing package, a definition error and a non-Error throw', async () => {
    await withTempDir(async (dir) => {
      writeProject(dir, {
        'pipelines/pkg.ts': [
          "import { asset } from 'marketlake';",
          "import pad from 'left-pad-not-installed';",
          '',
          "export const a = asset({ name: 'a', run: () => pad });",
        ],
        'pipelines/invalid.mts': [
          "import { asset } from 'marketlake';",
          '',
          "export const b = asset({ name: 'b', sql: 'DROP TABLE x' });",
        ],
        'pipelines/weird.js': ['', 'throw "not an error";'],
      });
      const { diagnostics, assets } = await loadProject(dir);
      expect(assets).toEqual([]);
      expect(diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([
        ['PIPELINES_DEFINITION_INVALID', 'pipelines/invalid.mts', 3],
        ['PIPELINES_LOAD_FAILED', 'pipelines/pkg.ts', 2],
        ['PIPELINES_LOAD_FAILED', 'pipelines/weird.js', 1],
      ]);
      expect(diagnostics[0]?.message).toBe('asset "b": sql starts with "DROP TABLE x".');
      expect(diagnostics[1]?.fix).toMatch(/Install 'left-pad-not-installed' in the project folder/);
      expect(diagnostics[2]?.message).toContain('not an error');
    });
  });

  it('reports a broken imported module once, at each importing file', async () => {
    await withTempDir(async (dir) => {
      writeProject(dir, {
        'pipelines/broken.ts': [
          "import { asset } from 'marketlake';",
          '',
          "export const b = asset({ name: 'b', sql: 'SELECT 1' ;",
        ],
        'pipelines/uses_broken.ts': [
          "import { asset } from 'marketlake';",
          "import { b } from './broken.js';",
          "export const c = asset({ name: 'c', deps: [b], sql: 'SELECT 1' });",
        ],
        'pipelines/uses_helper.ts': [
          "import { asset } from 'marketlake';",
          '',
          "import { make } from './lib/make.js';",
          "export const d = make('d');",
        ],
        'pipelines/lib/make.ts': [
          "import { asset } from 'marketlake';",
          'export const make = (name: string) =>',
          '  asset({ name, sql: SELECT 1 });',
        ],
      });
      const { diagnostics } = await loadProject(dir);
      expect(diagnostics.map((d) => [d.file, d.line, d.column])).toEqual([
        ['pipelines/broken.ts', 3, 53],
        ['pipelines/uses_broken.ts', 2, undefined],
        ['pipelines/uses_helper.ts', 3, undefined],
      ]);
      expect(diagnostics[1]?.message).toMatch(
        /^pipelines\/uses_broken\.ts cannot be loaded: it imports pipelines\/broken\.ts, which fails at pipelines\/broken\.ts:3:53\. Syntax error/,
      );
      expect(diagnostics[2]?.message).toMatch(
        /it imports pipelines\/lib\/make\.ts, which fails at pipelines\/lib\/make\.ts:3:/,
      );
      expect(diagnostics[2]?.fix).toMatch(/pipelines\/lib\/make\.ts:3:/);
    });
  });

  it('loads .js and .mts files, and does not count a re-exported asset twice', async () => {
    await withTempDir(async (dir) => {
      writeProject(dir, {
        'pipelines/raw.mts': [
          "import { asset } from 'marketlake';",
          "export const raw = asset({ name: 'raw', command: 'echo raw' });",
        ],
        'pipelines/derived.ts': [
          "import { asset } from 'marketlake';",
          "import { raw } from './raw.mjs';",
          'export { raw };',
          "export const derived = asset({ name: 'derived', deps: [raw], sql: 'SELECT * FROM raw' });",
        ],
        'pipelines/plain.js': [
          "import { sensor } from 'marketlake';",
          "export default sensor({ name: 'poll', every: '1m', check: () => [], select: 'derived' });",
        ],
      });
      const project = await loadProject(dir);
      expect(project.diagnostics).toEqual([]);
      expect(project.assets.map((a) => a.name).sort()).toEqual(['derived', 'raw']);
      expect(project.sensors.map((s) => s.name)).toEqual(['poll']);
      expect(project.locations.get('asset:raw')).toEqual({ file: 'pipelines/raw.mts', line: 2 });
      expect(topologicalOrder(project.assets).map((a) => a.name)).toEqual(['raw', 'derived']);
    });
  });

  it('returns nothing for a project without pipelines and a diagnostic for a missing folder', async () => {
    await withTempDir(async (dir) => {
      expect(await loadProject(dir)).toMatchObject({ files: [], assets: [], diagnostics: [] });
      const missing = await loadProject(path.join(dir, 'nope'));
      expect(missing.diagnostics.map((d) => d.code)).toEqual(['PIPELINES_LOAD_FAILED']);
      expect(missing.diagnostics[0]?.message).toMatch(/does not exist/);
    });
  });

  it('loads 1,000 asset definitions', async () => {
    await withTempDir(async (dir) => {
      const files: Record<string, string[]> = {};
      for (let f = 0; f < 10; f += 1) {
        files[`pipelines/batch_${f}.ts`] = [
          "import { asset, daily } from 'marketlake';",
          `const prev = ${f === 0 ? 'undefined' : `'a_${f - 1}_99'`};`,
          'export const assets = Array.from({ length: 100 }, (_, i) =>',
          '  asset({',
          `    name: \`a_${f}_\${i}\`,`,
          `    deps: i === 0 ? (prev === undefined ? [] : [prev]) : [\`a_${f}_\${i - 1}\`],`,
          "    partitions: daily({ start: '2020-01-01' }),",
          '    run: async () => undefined,',
          '  }),',
          ');',
        ];
      }
      writeProject(dir, files);
      const project = await loadProject(dir);
      expect(project.diagnostics).toEqual([]);
      expect(project.assets).toHaveLength(1_000);
      const order = topologicalOrder(project.assets).map((a) => a.name);
      expect(order[0]).toBe('a_0_0');
      expect(order[999]).toBe('a_9_99');
      expect(project.locations.get('asset:a_3_50')).toEqual({
        file: 'pipelines/batch_3.ts',
        line: 4,
      });
    });
  });
});
