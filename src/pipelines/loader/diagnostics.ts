/**
 * Diagnostics: one problem in a project's pipeline files, with the file, line and a fix, as
 * `marketlake assets` and the API show them. The platform keeps serving the definitions that
 * are fine, so each problem is reported rather than thrown.
 */
import path from 'node:path';

/** Where a problem is, relative to the project folder ('pipelines/bars.ts'). */
export interface DiagnosticLocation {
  /** File relative to the project folder, with '/' separators. */
  readonly file: string;
  /** 1-based line (1 when nothing more precise is known). */
  readonly line: number;
  /** 1-based column, when known. */
  readonly column?: number;
}

/** A problem found while loading a project. */
export interface Diagnostic extends DiagnosticLocation {
  /** Stable error code, e.g. PIPELINES_CYCLE. */
  readonly code: string;
  /** Errors exclude what they concern; warnings do not. */
  readonly severity: 'error' | 'warning';
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The asset, schedule or sensor the problem concerns, when it is one definition. */
  readonly definition?: string;
  /** Other places involved (the first definition of a duplicate, the other assets of a cycle). */
  readonly related?: readonly DiagnosticLocation[];
}

/** `file` relative to `projectDir` with '/' separators (as given when outside the project). */
export function relativeFile(projectDir: string, file: string): string {
  const relative = path.relative(projectDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

/** Orders diagnostics by file, then line, then code, so output is stable. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

/** One line per diagnostic, `file:line: [CODE] message Fix: ...`, for logs and the CLI. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.column === undefined ? `${d.file}:${d.line}` : `${d.file}:${d.line}:${d.column}`;
  return `${where}: [${d.code}] ${d.message} Fix: ${d.fix}`;
}
