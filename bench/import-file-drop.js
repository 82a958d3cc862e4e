// Benchmark child: the file-drop path of the market-data issue: a vendor file dropped into an
// inbox is ingested with `ingestDroppedFile` (mapping, archive, import with quarantine) into
// bars_1d of a fresh lake. Copying the file into the inbox is not timed; everything after is.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ingestDroppedFile, parseVendorMapping } from '../dist/connectors/index.js';
import { Lake } from '../dist/lake/index.js';
import { openMetaStore } from '../dist/meta/index.js';
import { emit, parseArgs } from './lib/args.js';
import { peakRssBytes } from './lib/peak-rss.js';

const args = parseArgs({ file: undefined, work: undefined, 'memory-limit': '' });
const inbox = path.join(args.work, 'inbox');
mkdirSync(inbox, { recursive: true });
const dropped = path.join(inbox, path.basename(args.file));
copyFileSync(args.file, dropped);
const store = await openMetaStore(`sqlite:${path.join(args.work, 'meta.sqlite')}`);
const memoryLimit = args['memory-limit'] || undefined;
const lake = await Lake.open({
  store,
  root: path.join(args.work, 'lake'),
  ...(memoryLimit ? { memoryLimit } : {}),
});
const mapping = parseVendorMapping(
  { vendor: 'iex', description: 'S&P 500 daily bars (IEX)', dataset: 'bars_1d' },
  'bench',
);
try {
  const start = performance.now();
  const result = await ingestDroppedFile(lake, dropped, mapping, { writer: 'bench' });
  const wallMs = performance.now() - start;
  const files = await lake.files('bars_1d', result.version);
  emit({
    tool: 'marketlake-file-drop',
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
