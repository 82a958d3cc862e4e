/** How a command prints its result. */
export type OutputFormat = 'table' | 'json' | 'csv';

/** Picks the format from `--json` / `--csv` flags. */
export function formatOf(opts: { json?: boolean; csv?: boolean }): OutputFormat {
  return opts.json ? 'json' : opts.csv ? 'csv' : 'table';
}

/** Prints one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n',
  );
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

function csvCell(value: unknown): string {
  const s = cell(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Prints rows as RFC 4180 CSV with a header line. */
export function printCsv(
  rows: readonly Record<string, unknown>[],
  columns?: readonly string[],
): void {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const lines = [
    cols.map(csvCell).join(','),
    ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(',')),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** Prints rows as an aligned text table. */
export function printTable(
  rows: readonly Record<string, unknown>[],
  columns?: readonly string[],
): void {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  if (cols.length === 0) {
    process.stdout.write('(no rows)\n');
    return;
  }
  const text = rows.map((r) => cols.map((c) => cell(r[c]).replace(/[\r\n\t]/g, ' ')));
  const widths = cols.map((c, i) =>
    Math.min(60, Math.max(c.length, ...text.map((t) => (t[i] ?? '').length))),
  );
  const fmt = (vals: readonly string[]): string =>
    vals
      .map((v, i) => {
        const w = widths[i] ?? 0;
        const s = v.length > w ? `${v.slice(0, w - 1)}…` : v;
        return s.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const out = [fmt(cols), fmt(widths.map((w) => '-'.repeat(w))), ...text.map(fmt)];
  if (rows.length === 0) out.push('(no rows)');
  process.stdout.write(out.join('\n') + '\n');
}

/** Prints rows in the chosen format. */
export function printRows(
  format: OutputFormat,
  rows: readonly Record<string, unknown>[],
  columns?: readonly string[],
): void {
  if (format === 'json') printJson(rows);
  else if (format === 'csv') printCsv(rows, columns);
  else printTable(rows, columns);
}

/** Human-readable byte size. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
