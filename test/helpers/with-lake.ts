import path from 'node:path';
import { Lake, type LakeOptions } from '../../src/lake/index.js';
import { openMetaStore, type MetaStore } from '../../src/meta/index.js';
import type { TestBackend } from './backends.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** What `withLake` hands a test: an open lake on its own metadata database and folder. */
export interface LakeFixture {
  lake: Lake;
  store: MetaStore;
  /** The test's temporary folder (holds the lake, the SQLite file and any scratch files). */
  dir: string;
  /** Lake root (`<dir>/lake`). */
  root: string;
  /** Metadata database URL, for child processes that open the same lake. */
  url: string;
}

/** Lake options a test may override (the store and the root belong to the fixture). */
export type LakeFixtureOptions = Partial<Omit<LakeOptions, 'store' | 'root'>>;

/**
 * Runs `fn` with a fresh lake: a temp folder, an isolated metadata database of `backend`
 * (SQLite file or PostgreSQL schema) and `Lake.open` on `<dir>/lake`. Everything is closed and
 * removed afterwards, whether `fn` succeeds or throws.
 */
export async function withLake<T>(
  backend: TestBackend,
  fn: (fx: LakeFixture) => Promise<T>,
  options: LakeFixtureOptions = {},
): Promise<T> {
  const dir = makeTempDir();
  const url = backend.url(dir);
  let store: MetaStore | undefined;
  let lake: Lake | undefined;
  try {
    store = await openMetaStore(url);
    const root = path.join(dir, 'lake');
    lake = await Lake.open({ threads: 2, memoryLimit: '512MB', ...options, store, root });
    return await fn({ lake, store, dir, root, url });
  } finally {
    lake?.close();
    await store?.close();
    await backend.cleanup(url);
    removeDir(dir);
  }
}
