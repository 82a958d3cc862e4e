/**
 * Where a module that runs in a process or thread of its own starts: its compiled `.js` beside
 * the caller, or, when only TypeScript sources are there (tests run src/ directly), the shared
 * bootstrap (source-bootstrap.mjs) that loads the `.ts` through jiti, so no loader flag has to
 * be given to Node.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The file to start, and the TypeScript entry the bootstrap loads (source runs only). */
export interface RunnableModule {
  readonly file: string;
  readonly sourceEntry?: string;
}

/**
 * The module `name` (without extension) in the folder of `baseUrl` (the caller's
 * `import.meta.url`). A child process passes `sourceEntry` as its first argument; a worker thread
 * as `workerData.entry`.
 */
export function runnableModule(baseUrl: string, name: string): RunnableModule {
  const built = fileURLToPath(new URL(`./${name}.js`, baseUrl));
  if (existsSync(built)) return { file: built };
  return {
    file: fileURLToPath(new URL('./source-bootstrap.mjs', import.meta.url)),
    sourceEntry: fileURLToPath(new URL(`./${name}.ts`, baseUrl)),
  };
}
