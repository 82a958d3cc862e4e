/**
 * Turns what a pipeline file threw while loading into a diagnostic: a syntax error (line and
 * column from the compiler), a missing module (line of the import), or an error raised while
 * the file ran, such as an invalid definition (line from the stack).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { relativeFile, type Diagnostic } from './diagnostics.js';

const LOAD_FAILED = 'PIPELINES_LOAD_FAILED';
// jiti reports parse errors as "ParseError: <reason>\n <file>:<line>:<column>".
const PARSE_LOCATION = /\s(\/[^\n]*?|[A-Za-z]:\\[^\n]*?):(\d+):(\d+)\s*$/;
const MISSING_MODULE = /Cannot find (?:module|package) '([^']+)'/;
const STACK_FRAME = /\(?((?:file:\/\/)?\/[^():\n]+|[A-Za-z]:\\[^():\n]+):(\d+):(\d+)\)?\s*$/;

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  stack?: unknown;
  details?: unknown;
  requireStack?: unknown;
}

function shapeOf(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? error : { message: String(error) };
}

/** The 1-based line of `file` that imports `specifier`, or 1. */
function importLine(file: string, specifier: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 1;
  }
  const lines = text.split('\n');
  for (const quote of [`'${specifier}'`, `"${specifier}"`, `\`${specifier}\``]) {
    const at = lines.findIndex((line) => line.includes(quote));
    if (at >= 0) return at + 1;
  }
  return 1;
}

function syntaxDiagnostic(
  projectDir: string,
  file: string,
  message: string,
): Diagnostic | undefined {
  const firstLine = message.split('\n')[0] ?? message;
  const location = PARSE_LOCATION.exec(message);
  if (!/ParseError|SyntaxError/.test(firstLine) || location === null) return undefined;
  const where = location[1]?.trim() ?? file;
  const line = Number(location[2]);
  const column = Number(location[3]) + 1; // babel columns are 0-based
  const reason = firstLine.replace(/^\s*(?:\[\w+\]\s*)?(?:ParseError|SyntaxError):\s*/, '').trim();
  const shown = relativeFile(projectDir, where);
  return {
    code: LOAD_FAILED,
    severity: 'error',
    file: shown,
    line,
    column,
    message: `Syntax error in ${shown}: ${reason}.`,
    fix: `Fix the code at ${shown}:${line}:${column}; the definitions in ${relativeFile(projectDir, file)} are not loaded until it compiles.`,
  };
}

function missingModuleDiagnostic(
  projectDir: string,
  file: string,
  error: ErrorShape,
  message: string,
): Diagnostic | undefined {
  const match = MISSING_MODULE.exec(message);
  if (match === null) return undefined;
  const specifier = match[1] as string;
  const requireStack = Array.isArray(error.requireStack) ? (error.requireStack as unknown[]) : [];
  const importer = typeof requireStack[0] === 'string' ? requireStack[0] : file;
  const shown = relativeFile(projectDir, importer);
  const relative = specifier.startsWith('.') || specifier.startsWith('/');
  return {
    code: LOAD_FAILED,
    severity: 'error',
    file: shown,
    line: importLine(importer, specifier),
    message: `${shown} imports '${specifier}', which cannot be found.`,
    fix: relative
      ? `Check the path: ${path.posix.join(path.posix.dirname(shown), specifier)} does not exist (relative imports resolve from the importing file's folder; a TypeScript file may be imported as .js or .ts).`
      : `Install '${specifier}' in the project folder (npm install ${specifier}) or remove the import; only 'marketlake' is provided without installing.`,
  };
}

/** The first stack frame inside the project folder (the loaded file preferred). */
function stackLocation(
  projectDir: string,
  file: string,
  stack: string,
): { file: string; line: number } | undefined {
  let fallback: { file: string; line: number } | undefined;
  for (const frameLine of stack.split('\n').slice(1)) {
    const match = STACK_FRAME.exec(frameLine);
    if (match === null) continue;
    const raw = match[1] as string;
    const frameFile = raw.startsWith('file://') ? fileURLToPath(raw) : raw;
    const inProject =
      !path.relative(projectDir, frameFile).startsWith('..') &&
      !frameFile.includes(`${path.sep}node_modules${path.sep}`);
    if (frameFile === file) return { file: frameFile, line: Number(match[2]) };
    if (inProject && fallback === undefined) fallback = { file: frameFile, line: Number(match[2]) };
  }
  return fallback;
}

/** The 1-based line of `file` that mentions the module `other` (by file name), or 1. */
function lineImporting(file: string, other: string): number {
  const stem = path.basename(other).replace(/\.[cm]?[jt]s$/, '');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 1;
  }
  const at = text
    .split('\n')
    .findIndex((line) => /\b(from|import|require)\b/.test(line) && line.includes(stem));
  return at + 1 || 1;
}

/**
 * A diagnostic for whatever loading `file` threw. A problem inside a module the file imports is
 * reported at the file's import of it, naming the module's own location: otherwise a broken
 * pipeline file imported by another would be reported twice at the same place, and a broken
 * helper (not loaded on its own) would not say which pipeline file it broke.
 */
export function loadErrorDiagnostic(projectDir: string, file: string, thrown: unknown): Diagnostic {
  const found = locateLoadError(projectDir, file, thrown);
  const own = relativeFile(projectDir, file);
  if (found.file === own) return found;
  const { column, ...rest } = found;
  const where = `${found.file}:${found.line}${column === undefined ? '' : `:${column}`}`;
  return {
    ...rest,
    file: own,
    line: lineImporting(file, found.file),
    message: `${own} cannot be loaded: it imports ${found.file}, which fails at ${where}. ${found.message}`,
  };
}

function locateLoadError(projectDir: string, file: string, thrown: unknown): Diagnostic {
  const error = shapeOf(thrown);
  const message = typeof error.message === 'string' ? error.message : String(thrown);
  const syntax = syntaxDiagnostic(projectDir, file, message);
  if (syntax !== undefined) return syntax;
  const missing = missingModuleDiagnostic(projectDir, file, error, message);
  if (missing !== undefined) return missing;

  const at =
    typeof error.stack === 'string' ? stackLocation(projectDir, file, error.stack) : undefined;
  const shown = relativeFile(projectDir, at?.file ?? file);
  const line = at?.line ?? 1;
  const details = (
    typeof error.details === 'object' && error.details !== null ? error.details : {}
  ) as Record<string, unknown>;
  // Definition errors are recognized by code, not class: the file may use another copy of the SDK.
  const code =
    typeof error.code === 'string' && error.code.startsWith('PIPELINES_')
      ? error.code
      : LOAD_FAILED;
  const definition = typeof details['schedule'] === 'string' ? details['schedule'] : undefined;
  return {
    code,
    severity: 'error',
    file: shown,
    line,
    message:
      typeof details['problem'] === 'string'
        ? details['problem']
        : `${shown}:${line} threw while loading: ${message}`,
    fix:
      typeof details['fix'] === 'string'
        ? `${details['fix']} (${shown}:${line})`
        : `Fix the error at ${shown}:${line}; a pipeline file must only define and export assets, schedules and sensors when it is loaded.`,
    ...(definition === undefined ? {} : { definition }),
  };
}
