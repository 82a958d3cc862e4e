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
