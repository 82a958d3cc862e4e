// Benchmark child: imports CSV files into bars_1d with marketlake (the same call as
// `marketlake lake import`) into a fresh lake, and reports wall time and peak RSS.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Lake } from '../dist/lake/index.js';
import { openMetaStore } from '../dist/meta/index.js';
import { emit, parseArgs } from './lib/args.js';
import { peakRssBytes } from './lib/peak-rss.js';

// --memory-limit '' keeps the lake's default (1GB, as `marketlake lake import` uses).
const args = parseArgs({ file: undefined, work: undefined, 'memory-limit': '' });
mkdirSync(args.work, { recursive: true });
const store = await openMetaStore(`sqlite:${path.join(args.work, 'meta.sqlite')}`);
const memoryLimit = args['memory-limit'] || undefined;
const lake = await Lake.open({
  store,
  root: path.join(args.work, 'lake'),
  ...(memoryLimit ? { memoryLimit } : {}),
});
try {
  const start = performance.now();
  const result = await lake.import('bars_1d', args.file.split(','), { writer: 'bench' });
  const wallMs = performance.now() - start;
  const files = await lake.files('bars_1d', result.version);
  emit({
    tool: 'marketlake',
    wallMs,
    rows: result.rowsImported,
    quarantined: result.rowsQuarantined,
    files: files.length,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    peakRssBytes: peakRssBytes(),
  });
} finally {
  lake.close();
  await store.close();
}
