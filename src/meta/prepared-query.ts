/**
 * Queries built and compiled by Kysely once per shape, then executed with new parameters (Kysely's
 * "splitting build, compile and execute" recipe). Building a query allocates and freezes a node per
 * step and compiling walks them: for the small statements of the run store's hot paths that costs
 * two to three times what SQLite spends running them, on every attempt of every run.
 *
 * The builder is called with placeholders instead of the arguments; each placeholder becomes a
 * parameter of the compiled statement, whose position is remembered. An argument may be a scalar,
 * a list of scalars (an `in` list) or a list of flat rows (`values(rows)`): lists and rows change
 * the statement's text with their length and keys, so each shape is compiled once. Arguments must
 * reach the query only as values (never undefined): a builder that branches on an argument would
 * see a placeholder (it may branch on the dialect and on a list's length, which are the shape's).
 */
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { MetaDialect } from './meta-store.js';
import type { MetaDatabase } from './schema.js';

/** Where a prepared query runs: a database or transaction handle and its dialect. */
export interface QueryTarget {
  readonly trx: Kysely<MetaDatabase>;
  readonly dialect: MetaDialect;
}

/** A scalar argument, a list of them, or a list of rows of them. */
type Argument = unknown;

/** Runs the query with `args`; resolves with the rows it returns (none without RETURNING). */
export type PreparedQuery<A extends readonly Argument[], O> = (
  target: QueryTarget,
  ...args: A
) => Promise<O[]>;

/**
 * Characters of SQL kept per query: the least recently used shapes are dropped past it, and a
 * statement longer than it (an insert of thousands of rows) is built on every call instead.
 */
const MAX_CACHED_SQL_CHARS = 256 * 1024;

/** Stands for one argument, one item of a list argument, or one field of a row of one. */
class Placeholder {
  constructor(
    readonly arg: number,
    readonly item: number,
    readonly field: string | undefined,
  ) {}
}

interface Shape {
  readonly sql: string;
  /** Per parameter: where its value comes from, or the constant the builder put there. */
  readonly sources: readonly (Placeholder | { readonly constant: unknown })[];
}

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What makes two calls compile to the same statement: the dialect, list lengths and row keys.
 * The rows of one list must have the same keys (Kysely would insert defaults for missing ones).
 */
function shapeKey(dialect: MetaDialect, args: readonly Argument[]): string {
  let key = dialect;
  for (const arg of args) {
    if (!Array.isArray(arg)) key += '|';
    else if (arg.length > 0 && isRow(arg[0])) key += `|${arg.length}:${rowKeys(arg)}`;
    else key += `|${arg.length}`;
  }
  return key;
}

function rowKeys(rows: readonly unknown[]): string {
  const keys = Object.keys(rows[0] as object);
  for (const row of rows) {
    if (!isRow(row) || Object.keys(row).length !== keys.length || keys.some((k) => !(k in row)))
      throw new TypeError('The rows given to a prepared query must all have the same keys.');
  }
  return keys.join();
}

function placeholders(args: readonly Argument[]): Argument[] {
  return args.map((arg, i) => {
    if (!Array.isArray(arg)) return new Placeholder(i, -1, undefined);
    return arg.map((item: unknown, j) =>
      isRow(item)
        ? Object.fromEntries(Object.keys(item).map((k) => [k, new Placeholder(i, j, k)]))
        : new Placeholder(i, j, undefined),
    );
  });
}

function compileShape(compiled: CompiledQuery): Shape {
  const sources = compiled.parameters.map((p) => {
    if (p instanceof Placeholder) return p;
    if (p === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof p))
      return { constant: p };
    // Kysely turned an argument into something other than one parameter: not preparable.
    throw new TypeError(`A prepared query got a parameter it cannot bind (${typeof p}).`);
  });
  return { sql: compiled.sql, sources };
}

function valueOf(source: Shape['sources'][number], args: readonly Argument[]): unknown {
  if (!(source instanceof Placeholder)) return source.constant;
  const arg = args[source.arg];
  if (source.item < 0) return arg;
  const item = (arg as readonly unknown[])[source.item];
  return source.field === undefined ? item : (item as Record<string, unknown>)[source.field];
}

function compileQuery<O>(query: Compilable<O> | CompiledQuery<O>): CompiledQuery<O> {
  return 'compile' in query ? query.compile() : query;
}

/**
 * Wraps a query builder: `build(target, ...args)` returns the query for the arguments, not
 * executed (a builder, or a raw query compiled with `.compile(target.trx)`), and passes the
 * arguments to Kysely as values only.
 */
export function preparedQuery<A extends readonly Argument[], O>(
  build: (target: QueryTarget, ...args: A) => Compilable<O> | CompiledQuery<O>,
): PreparedQuery<A, O> {
  // By shape key, least recently used first (a Map iterates in insertion order).
  const shapes = new Map<string, Shape>();
  let cachedChars = 0;
  return async (target, ...args) => {
    const key = shapeKey(target.dialect, args);
    let shape = shapes.get(key);
    if (shape !== undefined) {
      shapes.delete(key);
      shapes.set(key, shape);
    } else {
      shape = compileShape(compileQuery(build(target, ...(placeholders(args) as unknown as A))));
      if (shape.sql.length <= MAX_CACHED_SQL_CHARS) {
        shapes.set(key, shape);
        cachedChars += shape.sql.length;
        for (const [oldKey, old] of shapes) {
          if (cachedChars <= MAX_CACHED_SQL_CHARS) break;
          shapes.delete(oldKey);
          cachedChars -= old.sql.length;
        }
      }
    }
    const parameters = shape.sources.map((source) => valueOf(source, args));
    const compiled = CompiledQuery.raw(shape.sql, parameters) as CompiledQuery<O>;
    return (await target.trx.executeQuery(compiled)).rows;
  };
}
