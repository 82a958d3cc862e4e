import { MarketInvalidOptionError } from '../errors.js';
import { intradayGapsSql, missingSessionsSql, unexpectedBarsSql } from './calendar-checks.js';
import { limitMoveSql, stalePricesSql, volumeSpikeSql, zscoreMoveSql } from './move-checks.js';
import { duplicateKeysSql, nonNegativeVolumeSql, ohlcConsistencySql } from './row-checks.js';
import type { CheckConfig, CheckName, Grain, Severity } from './types.js';

/** What a check's SQL builder is given. */
export interface CheckSqlContext {
  grain: Grain;
  params: Record<string, number>;
  /** SQL predicate: a date expression lies in the checked scope (partition, from/to). */
  inScope: (d: string) => string;
}

/** A built-in check: defaults and the SQL that finds its failing keys. */
export interface CheckDefinition {
  name: CheckName;
  description: string;
  severity: Severity;
  blocking: boolean;
  grains: readonly Grain[];
  /** Needs the exchange calendar of each symbol. */
  calendar: boolean;
  /** Reads `_hist` (bars before the scope, for windows). */
  lookback: boolean;
  params: Readonly<Record<string, number>>;
  /** SELECT yielding (symbol, d, ts, value, message) for every failing key. */
  sql(ctx: CheckSqlContext): string;
}

const p = (ctx: CheckSqlContext, name: string): number => ctx.params[name] ?? 0;

/** The built-in market-data checks, in the order they run and report. */
export const checkCatalog: readonly CheckDefinition[] = [
  {
    name: 'ohlc_consistency',
    description: 'low <= min(open, close), max(open, close) <= high, every price present and > 0',
    severity: 'error',
    blocking: true,
    grains: ['day', 'minute'],
    calendar: false,
    lookback: false,
    params: {},
    sql: () => ohlcConsistencySql(),
  },
  {
    name: 'non_negative_volume',
    description: 'volume present and >= 0',
    severity: 'error',
    blocking: true,
    grains: ['day', 'minute'],
    calendar: false,
    lookback: false,
    params: {},
    sql: () => nonNegativeVolumeSql(),
  },
  {
    name: 'duplicate_keys',
    description: 'one row per symbol and date (or bar start)',
    severity: 'error',
    blocking: true,
    grains: ['day', 'minute'],
    calendar: false,
    lookback: false,
    params: {},
    sql: () => duplicateKeysSql(),
  },
  {
    name: 'missing_sessions',
    description: "no session without a bar between a symbol's first and last bar",
    severity: 'warn',
    blocking: false,
    grains: ['day', 'minute'],
    calendar: true,
    lookback: false,
    params: {},
    sql: (ctx) => missingSessionsSql(ctx.grain, ctx.inScope),
  },
  {
    name: 'unexpected_bars',
    description: 'no bar on a non-session (or outside trading hours)',
    severity: 'error',
    blocking: false,
    grains: ['day', 'minute'],
    calendar: true,
    lookback: false,
    params: {},
    sql: (ctx) => unexpectedBarsSql(ctx.grain),
  },
  {
    name: 'stale_prices',
    description: 'the same close on `sessions` consecutive bars that traded',
    severity: 'warn',
    blocking: false,
    grains: ['day'],
    calendar: false,
    lookback: true,
    params: { sessions: 5 },
    sql: (ctx) => stalePricesSql(p(ctx, 'sessions'), ctx.inScope),
  },
  {
    name: 'limit_move',
    description:
      "no close-to-close move beyond the exchange's daily price limit without a corporate action",
    severity: 'error',
    blocking: false,
    grains: ['day'],
    calendar: true,
    lookback: true,
    params: { tolerance: 0.0001 },
    sql: (ctx) => limitMoveSql(p(ctx, 'tolerance'), ctx.inScope),
  },
  {
    name: 'zscore_move',
    description:
      'no one-day move beyond `threshold` standard deviations without a corporate action (a missed split)',
    severity: 'warn',
    blocking: false,
    grains: ['day'],
    calendar: false,
    lookback: true,
    params: { threshold: 8, window: 60, minPeriods: 20, minMove: 0.2 },
    sql: (ctx) =>
      zscoreMoveSql(
        {
          threshold: p(ctx, 'threshold'),
          window: p(ctx, 'window'),
          minPeriods: p(ctx, 'minPeriods'),
          minMove: p(ctx, 'minMove'),
        },
        ctx.inScope,
      ),
  },
  {
    name: 'volume_spike',
    description: 'volume at most `multiple` times the trailing average',
    severity: 'warn',
    blocking: false,
    grains: ['day'],
    calendar: false,
    lookback: true,
    params: { multiple: 10, window: 20, minPeriods: 10 },
    sql: (ctx) =>
      volumeSpikeSql(
        {
          multiple: p(ctx, 'multiple'),
          window: p(ctx, 'window'),
          minPeriods: p(ctx, 'minPeriods'),
        },
        ctx.inScope,
      ),
  },
  {
    name: 'intraday_gaps',
    description: 'no run of at least `minMinutes` minutes without a bar inside a traded session',
    severity: 'warn',
    blocking: false,
    grains: ['minute'],
    calendar: true,
    lookback: false,
    params: { minMinutes: 1 },
    sql: (ctx) => intradayGapsSql(p(ctx, 'minMinutes')),
  },
];

/** Names of the built-in checks. */
export const checkNames: readonly CheckName[] = checkCatalog.map((c) => c.name);

/** A check selected for a run: its definition with severity, blocking and parameters settled. */
export interface SelectedCheck {
  definition: CheckDefinition;
  severity: Severity;
  blocking: boolean;
  params: Record<string, number>;
}

function definitionOf(name: unknown): CheckDefinition {
  const found = checkCatalog.find((c) => c.name === name);
  if (!found) throw new MarketInvalidOptionError('check', name, `one of ${checkNames.join(', ')}`);
  return found;
}

/**
 * Settles the checks of a run: every check of the grain by default, else the named ones with
 * their overrides, validated (an unknown name, parameter or severity names what is accepted).
 */
export function selectChecks(
  grain: Grain,
  requested: readonly (CheckName | CheckConfig)[] | undefined,
): SelectedCheck[] {
  const configs: CheckConfig[] =
    requested === undefined
      ? checkCatalog.filter((c) => c.grains.includes(grain)).map((c) => ({ name: c.name }))
      : requested.map((r) => (typeof r === 'string' ? { name: r } : r));
  const seen = new Set<string>();
  return configs.map((config) => {
    const definition = definitionOf(config.name);
    if (seen.has(definition.name))
      throw new MarketInvalidOptionError('checks', config.name, 'each check at most once');
    seen.add(definition.name);
    if (!definition.grains.includes(grain))
      throw new MarketInvalidOptionError(
        `check for ${grain === 'day' ? 'daily' : 'intraday'} bars`,
        config.name,
        `one of ${checkCatalog
          .filter((c) => c.grains.includes(grain))
          .map((c) => c.name)
          .join(', ')}`,
      );
    const severity = config.severity ?? definition.severity;
    if (severity !== 'warn' && severity !== 'error')
      throw new MarketInvalidOptionError(
        `severity of ${definition.name}`,
        severity,
        'warn or error',
      );
    const params = { ...definition.params };
    for (const [key, value] of Object.entries(config.params ?? {})) {
      if (!(key in definition.params))
        throw new MarketInvalidOptionError(
          `parameter of ${definition.name}`,
          key,
          Object.keys(definition.params).join(', ') || 'no parameters',
        );
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw new MarketInvalidOptionError(
          `${definition.name}.${key}`,
          value,
          'a finite number >= 0',
        );
      params[key] = value;
    }
    return {
      definition,
      severity,
      blocking:
        config.blocking ??
        (config.severity === undefined ? definition.blocking : severity === 'error'),
      params,
    };
  });
}
