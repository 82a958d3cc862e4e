/**
 * The file-drop sensor at run time. Each tick it hands each new stable file (unchanged for
 * `stableMs`) to a run of the selected assets, moving it first to where it is archived
 * (`archive/YYYY/MM/DD/`), so it is never picked twice and quarantined rows name the file where
 * it stays; then it settles the files it handed out: kept in the archive when the run succeeded,
 * moved to `failed/` with `<name>.error.txt` beside it otherwise. The files in flight are the
 * sensor's cursor, so a restart picks up where it stopped.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../core/index.js';
import { messageOf } from '../../core/index.js';
import { isTerminal, type CreatedRun, type RunPlan, type RunStore } from '../runs/index.js';
import type { InboxSensorDefinition } from '../sdk/sensor.js';
import type { ProjectSnapshot } from './project-holder.js';
import { planSelection } from './selection.js';
import { readSensorState, writeSensorState } from './sensor-state.js';
import { INBOX_FILE_TAG } from './task-runner.js';

interface Pending {
  readonly runId: string;
  /** File name as dropped. */
  readonly name: string;
  /** Where it is archived (and read from while its run runs). */
  readonly file: string;
}

async function uniquePath(dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  let target = path.join(dir, name);
  for (let i = 1; existsSync(target); i += 1) {
    const ext = path.extname(name);
    target = path.join(dir, `${path.basename(name, ext)}.${i}${ext}`);
  }
  return target;
}

/** One inbox sensor's runtime state. */
export class InboxSensor {
  readonly #seen = new Map<string, { size: number; mtimeMs: number }>();
  #snapshot: ProjectSnapshot | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly submit: (plan: RunPlan) => Promise<CreatedRun>,
    private readonly logger: Logger,
    private readonly projectDir: string,
  ) {}

  /** The project the next tick plans against. */
  useProject(snapshot: ProjectSnapshot): void {
    this.#snapshot = snapshot;
  }

  /** Settles finished files and hands out new stable ones. */
  async tick(sensor: InboxSensorDefinition, now: number): Promise<void> {
    const dirs = {
      inbox: path.resolve(this.projectDir, sensor.dir),
      archive: path.resolve(this.projectDir, sensor.archiveDir),
      failed: path.resolve(this.projectDir, sensor.failedDir),
    };
    const state = await readSensorState(this.store.meta, sensor.name);
    let pending: Pending[] = state?.cursor ? (JSON.parse(state.cursor) as Pending[]) : [];
    pending = await this.#settle(pending, dirs);
    let lastRun: string | undefined;
    for (const name of await this.#stableFiles(sensor, dirs.inbox, now)) {
      const from = path.join(dirs.inbox, name);
      const day = new Date(now).toISOString().slice(0, 10).split('-');
      const file = await uniquePath(path.join(dirs.archive, ...day), name);
      await rename(from, file);
      this.#seen.delete(name);
      try {
        const snapshot = this.#snapshot;
        if (snapshot === undefined) throw new Error('The project is not loaded.');
        const plan = planSelection([...snapshot.assets.values()], {
          assets: sensor.select,
          kind: 'sensor',
          job: sensor.name,
          tags: { ...sensor.tags, sensor: sensor.name, [INBOX_FILE_TAG]: file },
        });
        const run = await this.submit(plan);
        pending.push({ runId: run.runId, name, file });
        lastRun = run.runId;
        this.logger.info({ sensor: sensor.name, file: name, runId: run.runId }, 'inbox file taken');
      } catch (err) {
        await this.#fail(
          file,
          name,
          dirs.failed,
          `The run could not be created: ${messageOf(err)}`,
        );
      }
      await this.#save(sensor.name, pending, now, lastRun);
    }
    await this.#save(sensor.name, pending, now, lastRun);
  }

  async #save(name: string, pending: Pending[], now: number, runId?: string): Promise<void> {
    await writeSensorState(this.store.meta, name, {
      cursor: JSON.stringify(pending),
      now,
      ...(runId !== undefined ? { runId } : {}),
    });
  }

  async #stableFiles(sensor: InboxSensorDefinition, dir: string, now: number): Promise<string[]> {
    let entries: string[];
    try {
      entries = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isFile() && !e.name.startsWith('.') && sensor.matcher.test(e.name))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const stable: string[] = [];
    for (const name of entries) {
      const s = await stat(path.join(dir, name)).catch(() => undefined);
      if (s === undefined) continue;
      const before = this.#seen.get(name);
      this.#seen.set(name, { size: s.size, mtimeMs: s.mtimeMs });
      const unchanged = before === undefined || before.size === s.size;
      if (unchanged && now - s.mtimeMs >= sensor.stableMs) stable.push(name);
    }
    return stable;
  }

  async #settle(pending: Pending[], dirs: { failed: string }): Promise<Pending[]> {
    const left: Pending[] = [];
    for (const p of pending) {
      let run;
      try {
        run = await this.store.getRun(p.runId);
      } catch {
        await this.#fail(p.file, p.name, dirs.failed, `Run ${p.runId} no longer exists.`);
        continue;
      }
      if (!isTerminal('run', run.state)) {
        left.push(p);
        continue;
      }
      if (run.state === 'succeeded') {
        this.logger.info({ file: p.name, runId: p.runId, archived: p.file }, 'inbox file archived');
        continue;
      }
      const errors = run.attempts
        .filter((a) => a.error !== null)
        .map((a) => `${a.asset} attempt ${a.attempt}: ${a.error?.message ?? ''}`);
      await this.#fail(
        p.file,
        p.name,
        dirs.failed,
        `Run ${p.runId} ended ${run.state}.\n${errors.join('\n')}\nSee: marketlake runs show ${p.runId}`,
      );
    }
    return left;
  }

  async #fail(file: string, name: string, failedDir: string, message: string): Promise<void> {
    const target = await uniquePath(failedDir, name);
    await rename(file, target).catch(() => undefined);
    await writeFile(`${target}.error.txt`, `${message}\n`);
    this.logger.warn({ file: name, moved: target }, 'inbox file failed');
  }
}
