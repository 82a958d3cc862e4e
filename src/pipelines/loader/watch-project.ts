/**
 * Reloads a project when its pipeline files change: `fs.watch` on the pipelines folder (and its
 * subfolders of helpers), debounced so an editor's save burst causes one reload, and serialized
 * so reloads never overlap.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { loadProject, PIPELINES_DIR, type LoadedProject } from './load-project.js';

/** Options of `watchProject`. */
export interface WatchOptions {
  /** Quiet time after the last change before reloading (default 200 ms). */
  debounceMs?: number;
  /** Called when reloading itself fails unexpectedly (bad files become diagnostics, not this). */
  onError?: (error: unknown) => void;
}

/** A running watch; `close()` stops it. */
export interface ProjectWatcher {
  /** Stops watching; a reload in progress finishes but is not reported. */
  close(): void;
}

/**
 * Watches `projectDir` and calls `onChange` with the reloaded project after pipeline files change.
 * Watching the project folder too catches a pipelines/ folder that is created or replaced.
 */
export function watchProject(
  projectDir: string,
  onChange: (project: LoadedProject) => void | Promise<void>,
  options: WatchOptions = {},
): ProjectWatcher {
  const root = path.resolve(projectDir);
  const debounceMs = options.debounceMs ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;
  let pipelinesWatcher: FSWatcher | undefined;

  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const project = await loadProject(root);
        if (!closed) await onChange(project);
      } while (again && !closed);
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
    }
  };

  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void reload();
    }, debounceMs);
  };

  // (Re)creates the folder watch: a pipelines/ folder deleted and created again is a new inode
  // that the old watch does not see.
  const watchPipelines = (): void => {
    const dir = path.join(root, PIPELINES_DIR);
    pipelinesWatcher?.close();
    pipelinesWatcher = undefined;
    if (closed || !existsSync(dir)) return;
    try {
      const current = watch(dir, { recursive: true }, schedule);
      pipelinesWatcher = current;
      current.on('error', () => {
        // The folder was removed; the root watch sees it come back and watches it again.
        current.close();
        if (pipelinesWatcher === current) pipelinesWatcher = undefined;
        schedule();
      });
    } catch (error) {
      options.onError?.(error);
    }
  };

  const rootWatcher = watch(root, (_event, name) => {
    if (name === PIPELINES_DIR || name === null) {
      watchPipelines();
      schedule();
    }
  });
  rootWatcher.on('error', (error) => options.onError?.(error));
  watchPipelines();

  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      rootWatcher.close();
      pipelinesWatcher?.close();
    },
  };
}
