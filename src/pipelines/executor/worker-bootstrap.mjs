// Starts the attempt worker from its TypeScript source when no compiled attempt-worker.js sits
// beside the executor (tests run src/ directly). Usage: node worker-bootstrap.mjs <worker.ts> <config>
// The worker reads its config from argv[2], so the entry argument is removed first.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createJiti } from 'jiti';

const [entry] = process.argv.splice(2, 1);
if (entry === undefined) {
  process.stderr.write('worker-bootstrap.mjs: missing the worker entry file argument\n');
  process.exit(64);
}
// The same cache folder as compile-cache.ts, so sources compile once, not in every worker.
const fsCache = path.join(tmpdir(), 'marketlake-jiti');
await createJiti(import.meta.url, { fsCache }).import(entry);
