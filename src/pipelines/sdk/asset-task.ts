/**
 * The three kinds of work an asset can do, and the validation that it declares exactly one.
 */
import type { AssetContext } from './asset-context.js';
import { invalid, show } from './validate.js';

/** A TypeScript function run in the attempt's child process. */
export interface RunTask {
  /** Discriminator. */
  readonly type: 'run';
  /** The user's function. */
  readonly run: (ctx: AssetContext) => unknown;
}

/** A DuckDB SELECT over upstream datasets whose result becomes the asset's dataset. */
export interface SqlTask {
  /** Discriminator. */
  readonly type: 'sql';
  /** The SELECT. */
  readonly sql: string;
}

/** A shell command (a string run by the shell) or an argv array (run without a shell). */
export interface CommandTask {
  /** Discriminator. */
  readonly type: 'command';
  /** Command line or argv. */
  readonly command: string | readonly string[];
}

/** What an asset runs. */
export type AssetTask = RunTask | SqlTask | CommandTask;

// DuckDB accepts FROM-first queries; a leading parenthesis opens a subquery or set operation.
const QUERY_START = /^(select|with|from|values|table|\()/i;
const LEADING_NOISE = /^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)+/;

function normalizeSql(what: string, sql: unknown): string {
  if (typeof sql !== 'string' || sql.trim() === '') {
    invalid(
      what,
      'sql',
      `is ${show(sql)}`,
      "Write one DuckDB SELECT, e.g. sql: 'SELECT symbol, date, close FROM raw_bars'.",
    );
  }
  const body = sql.replace(LEADING_NOISE, '');
  if (!QUERY_START.test(body)) {
    invalid(
      what,
      'sql',
      `starts with ${JSON.stringify(body.slice(0, 20))}`,
      'Write a single read-only query starting with SELECT, WITH or FROM; marketlake writes its result to the dataset.',
    );
  }
  return sql;
}

function normalizeCommand(what: string, command: unknown): string | readonly string[] {
  if (typeof command === 'string') {
    if (command.trim() === '')
      invalid(
        what,
        'command',
        'is empty',
        "Give a command line, e.g. command: 'python scripts/load.py'.",
      );
    return command;
  }
  if (
    Array.isArray(command) &&
    command.length > 0 &&
    command.every((part) => typeof part === 'string')
  ) {
    if ((command[0] as string).trim() === '')
      invalid(what, 'command[0]', 'is empty', 'The first element is the program to run.');
    return Object.freeze([...command]);
  }
  return invalid(
    what,
    'command',
    `is ${show(command)}`,
    "Use a command line string or an argv array, e.g. command: ['python', 'load.py'].",
  );
}

/** Picks the one task among `run`, `sql` and `command` in `options`. */
export function normalizeTask(what: string, options: Record<string, unknown>): AssetTask {
  const given = (['run', 'sql', 'command'] as const).filter((key) => options[key] !== undefined);
  if (given.length !== 1) {
    invalid(
      what,
      given.length === 0 ? 'run, sql or command' : given.join(' and '),
      given.length === 0 ? 'is missing' : 'are given together',
      'Give exactly one: run: async (ctx) => {...}, sql: "SELECT ...", or command: "python script.py".',
    );
  }
  const run = options['run'];
  if (run !== undefined) {
    if (typeof run !== 'function')
      invalid(what, 'run', `is ${show(run)}`, 'Use a function: run: async (ctx) => { ... }.');
    return Object.freeze({ type: 'run', run: run as RunTask['run'] });
  }
  if (options['sql'] !== undefined)
    return Object.freeze({ type: 'sql', sql: normalizeSql(what, options['sql']) });
  return Object.freeze({ type: 'command', command: normalizeCommand(what, options['command']) });
}
