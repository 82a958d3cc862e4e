/**
 * Finds the user's file and line that called an SDK function, from the V8 call stack.
 *
 * The loader reports duplicate names, cycles and unknown dependencies at the definition's line,
 * which only the call site knows: a definition may be made in a loop or in a helper file and
 * exported from somewhere else. jiti keeps line numbers when it compiles, so raw V8 lines are
 * source lines; columns are not kept, so none are reported.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from './brand.js';

// Frames inside the pipelines domain (src/pipelines or dist/pipelines) are the SDK itself.
const SDK_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url))) + path.sep;
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
/** Enough for the SDK's own frames plus a loop or helper or two in user code. */
const MAX_FRAMES = 20;

/** Structured frames of the current stack, without formatting it as text. */
function callSites(): NodeJS.CallSite[] {
  // Saved only to be put back, never called, so `this` does not matter.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  // Structured frames skip message formatting and any source-map handler a host installed, and a
  // short limit skips walking deep framework stacks: together they keep this a few microseconds,
  // where a text stack cost ~100 µs per definition (10,000 generated assets = 1 s).
  Error.prepareStackTrace = (_error, sites) => sites;
  Error.stackTraceLimit = MAX_FRAMES;
  try {
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callSite);
    return Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : [];
  } finally {
    Error.prepareStackTrace = original;
    Error.stackTraceLimit = limit;
  }
}

/** The first stack frame outside the SDK, node internals and node_modules; undefined if none. */
export function callSite(): SourceLocation | undefined {
  for (const site of callSites()) {
    const name = site.getFileName();
    const line = site.getLineNumber();
    if (name === undefined || name === null || line === null || name.startsWith('node:')) continue;
    const file = name.startsWith('file://') ? fileURLToPath(name) : name;
    if (!path.isAbsolute(file) || file.startsWith(SDK_ROOT) || file.includes(NODE_MODULES))
      continue;
    return { file, line };
  }
  return undefined;
}
