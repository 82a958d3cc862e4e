import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../../../test/helpers/temp-dir.js';
import type { LoadedProject } from './load-project.js';
import { watchProject } from './watch-project.js';

/** Resolves with the first reload for which `accept` holds, or rejects after `timeoutMs`. */
function nextReload(
  subscribe: (listener: (project: LoadedProject) => void) => void,
  accept: (project: LoadedProject) => boolean,
  timeoutMs = 15_000,
): Promise<LoadedProject> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no matching reload within ${timeoutMs} ms`)),
      timeoutMs,
    );
    subscribe((project) => {
      if (!accept(project)) return;
      clearTimeout(timer);
      resolve(project);
    });
  });
}

describe('watchProject', () => {
  it('reloads after a pipeline file is written, changed or broken', async () => {
    await withTempDir(async (dir) => {
      mkdirSync(path.join(dir, 'pipelines'));
      let listener: (project: LoadedProject) => void = () => undefined;
      const reloads: LoadedProject[] = [];
      const watcher = watchProject(
        dir,
        (project) => {
          reloads.push(project);
          listener(project);
        },
        { debounceMs: 50 },
      );
      const subscribe = (fn: (project: LoadedProject) => void): void => {
        listener = fn;
      };
      const file = path.join(dir, 'pipelines', 'bars.ts');
      try {
        const added = nextReload(subscribe, (p) => p.assets.length === 1);
        writeFileSync(
          file,
          "import { asset } from 'marketlake';\nexport const a = asset({ name: 'bars', sql: 'SELECT 1' });\n",
        );
        expect((await added).assets.map((a) => a.name)).toEqual(['bars']);

        const renamed = nextReload(subscribe, (p) => p.assets[0]?.name === 'bars_v2');
        writeFileSync(
          file,
          "import { asset } from 'marketlake';\nexport const a = asset({ name: 'bars_v2', sql: 'SELECT 1' });\n",
        );
        await renamed;

        const broken = nextReload(subscribe, (p) => p.diagnostics.length === 1);
        writeFileSync(
          file,
          "import { asset } from 'marketlake';\nexport const a = asset({ name: 'x', sql: 'SELECT 1' ;\n",
        );
        const project = await broken;
        expect(project.assets).toEqual([]);
        expect(project.diagnostics[0]).toMatchObject({
          code: 'PIPELINES_LOAD_FAILED',
          file: 'pipelines/bars.ts',
          line: 2,
        });
      } finally {
        watcher.close();
      }
      // Debouncing: a burst of writes does not reload once per write.
      expect(reloads.length).toBeLessThan(10);
    });
  });

  it('notices a pipelines folder created after the watch started, or replaced', async () => {
    await withTempDir(async (dir) => {
      let listener: (project: LoadedProject) => void = () => undefined;
      const watcher = watchProject(dir, (project) => listener(project), { debounceMs: 50 });
      let rewrite: NodeJS.Timeout | undefined;
      try {
        const loaded = nextReload(
          (fn) => (listener = fn),
          (p) => p.assets.length === 1,
        );
        mkdirSync(path.join(dir, 'pipelines'));
        writeFileSync(
          path.join(dir, 'pipelines', 'late.ts'),
          "import { asset } from 'marketlake';\nexport default asset({ name: 'late', command: 'true' });\n",
        );
        // A second write after the folder watch is in place, in case the first raced it.
        rewrite = setTimeout(
          () =>
            writeFileSync(
              path.join(dir, 'pipelines', 'late.ts'),
              "import { asset } from 'marketlake';\nexport default asset({ name: 'late', command: 'true' });\n",
            ),
          300,
        );
        expect((await loaded).assets.map((a) => a.name)).toEqual(['late']);
        clearTimeout(rewrite);

        // The folder deleted and created again (a git checkout, a deploy) is watched again.
        await new Promise((resolve) => setTimeout(resolve, 400));
        const replaced = nextReload(
          (fn) => (listener = fn),
          (p) => p.assets[0]?.name === 'replaced',
        );
        rmSync(path.join(dir, 'pipelines'), { recursive: true, force: true });
        mkdirSync(path.join(dir, 'pipelines'));
        writeFileSync(
          path.join(dir, 'pipelines', 'new.ts'),
          "import { asset } from 'marketlake';\nexport default asset({ name: 'replaced', command: 'true' });\n",
        );
        rewrite = setTimeout(
          () =>
            writeFileSync(
              path.join(dir, 'pipelines', 'new.ts'),
              "import { asset } from 'marketlake';\nexport default asset({ name: 'replaced', command: 'true' });\n",
            ),
          300,
        );
        expect((await replaced).assets.map((a) => a.name)).toEqual(['replaced']);
      } finally {
        clearTimeout(rewrite);
        watcher.close();
      }
    });
  });
});
