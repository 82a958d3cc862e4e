import path from 'node:path';
import type { Platform } from '../../src/api/index.js';
import { loadConfig, silentLogger } from '../../src/core/index.js';
import { Lake } from '../../src/lake/index.js';
import { openMetaStore } from '../../src/meta/index.js';
import type { PlatformMetrics } from '../../src/observe/index.js';
import type { TestBackend } from './backends.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** A platform for API tests and its teardown. */
export interface TestPlatform {
  platform: Platform;
  /** Closes the lake and store and removes the folder and database. */
  close(): Promise<void>;
}

/**
 * Opens a platform as `marketlake up` would (config from a temp project, metadata store of
 * `backend`, lake under the project), optionally with the caller's metrics.
 */
export async function openTestPlatform(
  backend: TestBackend,
  options: { metrics?: PlatformMetrics } = {},
): Promise<TestPlatform> {
  const dir = makeTempDir();
  const url = backend.url(dir);
  const { config } = await loadConfig({ project: dir, env: {}, flags: { databaseUrl: url } });
  const store = await openMetaStore(config.databaseUrl);
  const lake = await Lake.open({
    store,
    root: config.lakePath,
    tempDir: path.join(config.home, 'tmp'),
    threads: 2,
  });
  const platform: Platform = {
    config,
    store,
    lake,
    logger: silentLogger(),
    startedAt: new Date(),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  return {
    platform,
    close: async () => {
      lake.close();
      await store.close();
      await backend.cleanup(url);
      removeDir(dir);
    },
  };
}
