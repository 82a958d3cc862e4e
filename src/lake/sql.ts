/** Quotes an identifier for DuckDB (names are validated, quoting guards reserved words). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for DuckDB. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DuckDB list literal of file paths. */
export function pathList(paths: readonly string[]): string {
  return `[${paths.map(literal).join(', ')}]`;
}

/** Text of a value read back from DuckDB as JSON (strings as they are, others as JSON). */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return value.toString();
  return JSON.stringify(value) ?? '';
}
