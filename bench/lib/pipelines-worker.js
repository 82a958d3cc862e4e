// One worker runtime of the cluster benchmark in a process of its own, as `marketlake worker
// --slots N` runs on a node of a cluster: it claims from the shared metadata database until its
// parent (bench/pipelines.js --worker-processes separate) sends "stop".
//   node bench/lib/pipelines-worker.js <database-url> <work dir> <slots> <poll ms>
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './child.js';

const [url, work, slots, pollMs] = process.argv.slice(2);
if (!url || !work || !slots || !pollMs || !process.send) {
  throw new Error('usage: fork pipelines-worker.js <database-url> <work dir> <slots> <poll ms>');
}
const dist = (p) => import(pathToFileURL(path.join(repoRoot, 'dist', p)).href);
const [{ openMetaStore }, { PipelinesRuntime, ProjectHolder, RunStore }, { createLogger }] =
  await Promise.all([dist('meta/index.js'), dist('pipelines/index.js'), dist('core/index.js')]);

const meta = await openMetaStore(url);
const runtime = await PipelinesRuntime.start({
  store: new RunStore(meta),
  project: await ProjectHolder.load(path.join(work, 'project')),
  logger: createLogger({ level: 'silent' }),
  lake: {
    databaseUrl: url,
    lakePath: path.join(work, 'lake'),
    tempDir: path.join(work, 'tmp'),
    memoryLimit: '256MB',
  },
  worker: { slots: Number(slots), pollMs: Number(pollMs) },
});
process.on('message', (message) => {
  if (message !== 'stop') return;
  void runtime
    .stop()
    .then(() => meta.close())
    .then(() => process.disconnect());
});
process.send({ ready: true, workerId: runtime.workerId });
