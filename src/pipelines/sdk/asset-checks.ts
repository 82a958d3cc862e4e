/**
 * Asset checks: quality rules that run after an asset materializes. A check is SQL returning the
 * failing rows (none means passed) or a function; a blocking check that fails stops downstream
 * assets from running on bad data.
 */
import type { AssetContext, CheckResult } from './asset-context.js';
import { invalid, optionalString, rejectUnknownKeys, requireObject, show } from './validate.js';

/** A check as written in `asset({ checks: [...] })`: exactly one of `sql` or `run`. */
export interface AssetCheckOptions {
  /** Name, unique within the asset. */
  name: string;
  /** DuckDB SELECT returning the failing rows of the asset's dataset; zero rows passes. */
  sql?: string;
  /** A function deciding pass or fail. */
  run?: (ctx: AssetContext) => CheckResult | boolean | Promise<CheckResult | boolean>;
  /** Whether a failure blocks downstream assets (default false: a failure only warns). */
  blocking?: boolean;
  /** What the check guards against, shown in the UI. */
  description?: string;
}

/** A validated check. */
export interface AssetCheck {
  /** Name, unique within the asset. */
  readonly name: string;
  /** Whether a failure blocks downstream assets. */
  readonly blocking: boolean;
  /** What the check guards against. */
  readonly description: string | undefined;
  /** SQL returning failing rows, when the check is SQL. */
  readonly sql: string | undefined;
  /** The check function, when the check is code. */
  readonly run: AssetCheckOptions['run'];
}

const CHECK_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Validates `asset({ checks })` for the asset called `assetName`. */
export function normalizeChecks(what: string, checks: unknown): readonly AssetCheck[] {
  if (checks === undefined) return Object.freeze([]);
  if (!Array.isArray(checks)) {
    invalid(
      what,
      'checks',
      `is ${show(checks)}`,
      "Use an array, e.g. checks: [{ name: 'no_gaps', sql: 'SELECT ...' }].",
    );
  }
  const seen = new Set<string>();
  return Object.freeze(
    checks.map((raw: unknown, i: number) => {
      const opts = requireObject(
        `${what} checks[${i}]`,
        raw,
        "{ name: 'no_gaps', sql: 'SELECT ...' }",
      );
      rejectUnknownKeys(`${what} checks[${i}]`, opts, [
        'name',
        'sql',
        'run',
        'blocking',
        'description',
      ]);
      const name = opts['name'];
      if (typeof name !== 'string' || !CHECK_NAME.test(name)) {
        invalid(
          what,
          `checks[${i}].name`,
          `is ${show(name)}`,
          'Use lower-case letters, digits and _, starting with a letter.',
        );
      }
      if (seen.has(name))
        invalid(
          what,
          `checks[${i}].name`,
          `"${name}" is used twice`,
          'Give each check its own name.',
        );
      seen.add(name);
      const sql = optionalString(what, `checks.${name}.sql`, opts['sql']);
      const run = opts['run'];
      if (run !== undefined && typeof run !== 'function') {
        invalid(
          what,
          `checks.${name}.run`,
          `is ${show(run)}`,
          'Use a function (ctx) => ({ passed: boolean }).',
        );
      }
      if ((sql === undefined) === (run === undefined)) {
        invalid(
          what,
          `check "${name}"`,
          'needs exactly one of sql or run',
          "Give sql: 'SELECT <failing rows> ...' or run: (ctx) => ({ passed }).",
        );
      }
      const blocking = opts['blocking'] ?? false;
      if (typeof blocking !== 'boolean')
        invalid(what, `checks.${name}.blocking`, `is ${show(blocking)}`, 'Use true or false.');
      return Object.freeze({
        name,
        blocking,
        description: optionalString(what, `checks.${name}.description`, opts['description']),
        sql,
        run: run as AssetCheckOptions['run'],
      });
    }),
  );
}
