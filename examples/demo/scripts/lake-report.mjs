// A command asset: any program works. marketlake passes the run's context in the environment
// (MARKETLAKE_RUN_ID, MARKETLAKE_ASSET, MARKETLAKE_PARTITION, MARKETLAKE_LAKE_PATH) and keeps
// what it prints in the attempt's log.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const lake = process.env.MARKETLAKE_LAKE_PATH;
if (!lake) {
  console.error('MARKETLAKE_LAKE_PATH is not set: run this through marketlake.');
  process.exit(2);
}
function walk(dir) {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = walk(full);
      files += sub.files;
      bytes += sub.bytes;
    } else if (entry.name.endsWith('.parquet')) {
      files += 1;
      bytes += statSync(full).size;
    }
  }
  return { files, bytes };
}
console.log(`run ${process.env.MARKETLAKE_RUN_ID}: lake report for ${lake}`);
for (const entry of readdirSync(lake, { withFileTypes: true })) {
  if (!entry.isDirectory() || entry.name.startsWith('_')) continue;
  const { files, bytes } = walk(path.join(lake, entry.name));
  console.log(
    `${entry.name}: ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB (files on disk, all versions)`,
  );
}
