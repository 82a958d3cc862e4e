// Starts the span thread from its TypeScript source when no compiled span-thread.js sits beside
// threaded-tracing (tests run src/ directly). The entry comes in workerData.entry.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workerData } from 'node:worker_threads';
import { createJiti } from 'jiti';

// The same cache folder as the attempt worker's bootstrap, so sources compile once.
const fsCache = path.join(tmpdir(), 'marketlake-jiti');
await createJiti(import.meta.url, { fsCache }).import(workerData.entry);
