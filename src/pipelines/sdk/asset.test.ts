import { describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.js';
import { daily } from '../partitions/index.js';
import { asset } from './asset.js';
import { DEFINITION, isDefinition } from './brand.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';

function thrown(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('asset()', () => {
  it('normalizes a complete definition', () => {
    const raw = asset({ name: 'raw_bars', command: ['python', 'load.py'] });
    const bars = asset({
      name: 'daily_bars',
      dataset: 'bars_1d',
      deps: [raw, 'instruments', 'raw_bars'],
      partitions: daily({ start: '2024-01-01' }),
      sql: '-- adjusted\nSELECT * FROM raw_bars',
      checks: [{ name: 'no_gaps', sql: 'SELECT 1 WHERE false', blocking: true }],
      retry: { maxAttempts: 5 },
      timeoutMs: 60_000,
      resources: { memoryMb: 512, cpus: 0.5 },
      pool: 'krx-api',
      tags: { team: 'data' },
      description: 'Daily bars',
    });
    expect(bars.kind).toBe('asset');
    expect(bars[DEFINITION]).toBe('asset');
    expect(isDefinition(bars, 'asset')).toBe(true);
    expect(isDefinition({ kind: 'asset' }, 'asset')).toBe(false);
    expect(bars.dataset).toBe('bars_1d');
    expect(bars.deps).toEqual(['raw_bars', 'instruments']);
    expect(bars.task).toEqual({ type: 'sql', sql: '-- adjusted\nSELECT * FROM raw_bars' });
    expect(bars.checks[0]).toMatchObject({ name: 'no_gaps', blocking: true });
    expect(bars.retry).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 5 });
    expect(bars.resources).toEqual({ memoryMb: 512, cpus: 0.5 });
    expect(Object.isFrozen(bars)).toBe(true);
    expect(raw.dataset).toBe('raw_bars');
    expect(raw.task).toEqual({ type: 'command', command: ['python', 'load.py'] });
    expect(raw.retry).toBe(DEFAULT_RETRY_POLICY);
  });

  it('takes a dataset definition and keeps it', () => {
    const spec = {
      name: 'prices',
      columns: [{ name: 'symbol', type: 'VARCHAR' as const }],
      primaryKey: ['symbol'],
      partitioning: { kind: 'none' as const },
    };
    const a = asset({ name: 'prices_asset', dataset: spec, run: () => undefined });
    expect(a.dataset).toBe('prices');
    expect(a.datasetSpec).toBe(spec);
  });

  it('requires exactly one of run, sql and command', () => {
    const none = thrown(() => asset({ name: 'x' } as never));
    expect(none.code).toBe('PIPELINES_DEFINITION_INVALID');
    expect(none.message).toMatch(/^asset "x": run, sql or command is missing\. Give exactly one/);
    expect(
      thrown(() => asset({ name: 'x', sql: 'SELECT 1', command: 'ls' } as never)).message,
    ).toMatch(/sql and command are given together/);
  });

  it('names the asset, the field and the fix in every error', () => {
    const cases: [unknown, RegExp][] = [
      [
        { name: 'Bad-Name', run: () => 1 },
        /asset\(\): name is "Bad-Name"\. Use lower-case letters/,
      ],
      [
        { name: 'a', sql: 'DELETE FROM t' },
        /asset "a": sql starts with "DELETE FROM t".*SELECT, WITH or FROM/,
      ],
      [{ name: 'a', command: '' }, /asset "a": command is empty/],
      [{ name: 'a', run: 'x' }, /asset "a": run is "x"\. Use a function/],
      [{ name: 'a', run: () => 1, deps: 'b' }, /asset "a": deps is "b"\. Use an array/],
      [{ name: 'a', run: () => 1, deps: [1] }, /asset "a": deps\[0\] is 1/],
      [
        { name: 'a', run: () => 1, timeoutMs: -5 },
        /asset "a": timeoutMs is -5\. Use a positive whole number/,
      ],
      [{ name: 'a', run: () => 1, retry: { maxAttempts: 0 } }, /asset "a": retry.maxAttempts is 0/],
      [
        { name: 'a', run: () => 1, retry: { backof: 2 } },
        /asset "a": option "backof" is not known/,
      ],
      [{ name: 'a', run: () => 1, resources: { memoryMb: 1.5 } }, /resources.memoryMb is 1.5/],
      [
        { name: 'a', run: () => 1, partitions: 'daily' },
        /asset "a": partitions is "daily"\. Use a partitions definition/,
      ],
      [{ name: 'a', run: () => 1, pool: 'bad pool' }, /asset "a": pool is "bad pool"/],
      [
        { name: 'a', run: () => 1, checks: [{ name: 'c' }] },
        /check "c" needs exactly one of sql or run/,
      ],
      [
        {
          name: 'a',
          run: () => 1,
          checks: [
            { name: 'c', sql: 'x' },
            { name: 'c', sql: 'y' },
          ],
        },
        /checks\[1\].name "c" is used twice/,
      ],
      [
        { name: 'a', run: () => 1, retries: 3 },
        /asset "a": option "retries" is not known\. Known options: name, dataset/,
      ],
      [{ name: 'a', run: () => 1, tags: { x: 1 } }, /tags.x is 1/],
    ];
    for (const [options, message] of cases) {
      const error = thrown(() => asset(options as never));
      expect(error.code).toBe('PIPELINES_DEFINITION_INVALID');
      expect(error.message).toMatch(message);
      expect(typeof error.details?.['fix']).toBe('string');
    }
    expect(
      hasCode(
        thrown(() => asset(null as never)),
        'PIPELINES_DEFINITION_INVALID',
      ),
    ).toBe(true);
  });

  it('accepts DuckDB queries that start with WITH, FROM or a comment', () => {
    for (const sql of [
      'WITH t AS (SELECT 1) SELECT * FROM t',
      'FROM raw_bars',
      '/* c */ select 1',
      '(SELECT 1) UNION (SELECT 2)',
    ]) {
      expect(asset({ name: 'q', sql }).task.type).toBe('sql');
    }
  });
});
