import { afterEach, beforeEach } from 'vitest';
import { openMetaStore, type MetaStore } from '../../src/meta/index.js';
import type { TestBackend } from './backends.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** The metadata store of the running test (see `useMetaStore`). */
export interface MetaFixture {
  /** The store opened for the current test. */
  readonly meta: MetaStore;
  /** Its URL. */
  readonly url: string;
  /** A temporary folder of the test, removed after it. */
  readonly dir: string;
}

/**
 * Opens a fresh, migrated metadata store on `backend` before each test of the calling suite and
 * closes and drops it after: the setup every run-store suite shares.
 */
export function useMetaStore(backend: TestBackend): MetaFixture {
  let current: { meta: MetaStore; url: string; dir: string } | undefined;
  beforeEach(async () => {
    const dir = makeTempDir();
    const url = backend.url(dir);
    current = { meta: await openMetaStore(url), url, dir };
  });
  afterEach(async () => {
    if (current === undefined) return;
    const { meta, url, dir } = current;
    current = undefined;
    await meta.close();
    await backend.cleanup(url);
    removeDir(dir);
  });
  const get = (): { meta: MetaStore; url: string; dir: string } => {
    if (current === undefined) throw new Error('useMetaStore: only inside a test of its suite');
    return current;
  };
  return {
    get meta() {
      return get().meta;
    },
    get url() {
      return get().url;
    },
    get dir() {
      return get().dir;
    },
  };
}
