/** Quotes an identifier for DuckDB. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for DuckDB. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DATE literal, or NULL. */
export function dateLiteral(value: string | undefined | null): string {
  return value === undefined || value === null ? 'CAST(NULL AS DATE)' : `DATE ${literal(value)}`;
}

/**
 * A DOUBLE literal that round-trips exactly: JavaScript prints the shortest decimal that reads
 * back as the same double, and DuckDB parses it as the same double.
 */
export function doubleLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
  return `CAST(${String(value)} AS DOUBLE)`;
}

/** A typed list literal (`['a', 'b']::VARCHAR[]`), for `unnest` or `IN` tests. */
export function listLiteral(values: readonly string[], type: 'VARCHAR' | 'DATE'): string {
  return `CAST([${values.map(literal).join(', ')}] AS ${type}[])`;
}

/** Number of a JSON value DuckDB returned (BIGINT arrives as text). */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Text of a JSON value DuckDB returned, or undefined for NULL. */
export function optText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : text(value);
}

/** Text of a non-null JSON value DuckDB returned (strings as they are, others as JSON). */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return value.toString();
  return JSON.stringify(value) ?? '';
}
