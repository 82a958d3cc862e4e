// Starts a module from its TypeScript source when no compiled .js sits beside it (tests run src/
// directly; see source-module.ts). A child process gets the entry as its first argument, which is
// removed so the module reads its own arguments from argv[2] on; a worker thread gets it as
// workerData.entry.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { createJiti } from 'jiti';

const entry = isMainThread ? process.argv.splice(2, 1)[0] : workerData?.entry;
if (entry === undefined) {
  process.stderr.write(
    'source-bootstrap.mjs: missing the entry file (argument or workerData.entry)\n',
  );
  process.exit(64);
}
// The same cache folder as compile-cache.ts, so sources compile once, not in every process.
const fsCache = path.join(tmpdir(), 'marketlake-jiti');
await createJiti(import.meta.url, { fsCache }).import(entry);
