/**
 * The live drip of the demo: a running platform (`marketlake up`) drops the synthetic market's
 * next date into the project inbox every few seconds, so pipelines, checks and charts show data
 * arriving with no network. The last `liveDays` of the simulated range are held back for it; the
 * rest is written once as history. Progress is kept in a small state file so a restarted
 * platform continues where it stopped instead of dropping the same files again.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatDay, parseDay } from '../../core/index.js';
import { MarketInvalidOptionError } from '../errors.js';
import { generateDemoMarket } from './generate.js';
import type { DemoMarket, DemoMarketOptions } from './types.js';
import { writeDemoFiles, type DemoFile, type DemoWriteResult } from './write-files.js';

/** Options of `createDemoDrip`. */
export interface DemoDripOptions extends DemoMarketOptions {
  /** Folder the files go to (the project's `inbox/`). */
  inbox: string;
  /** Calendar days at the end of the range that are dripped rather than written as history (default 90). */
  liveDays?: number;
  /** Time between two dates (default 10 000 ms). */
  intervalMs?: number;
  /** Where progress is kept (default `<inbox>/.demo-drip.json`; a dotfile, so `*.csv` globs skip it). */
  stateFile?: string;
  /** Write the history before the first live date (default true). */
  history?: boolean;
  /** Called after each date is written. */
  onStep?: (step: DemoDripStep) => void;
  /** Called when writing a date fails (the drip retries it at the next tick). */
  onError?: (error: unknown) => void;
  /** Called once the last date is written. */
  onDone?: () => void;
}

/** One dripped date. */
export interface DemoDripStep {
  /** The calendar date whose files were written. */
  date: string;
  /** Files written (bars of the markets that traded that day, announced corporate actions). */
  files: DemoFile[];
  /** Dates still to come. */
  remaining: number;
}

/** A drip of the synthetic market into an inbox. */
export interface DemoDrip {
  /** The whole generated market (history and live part). */
  readonly market: DemoMarket;
  /** First date the drip delivers. */
  readonly liveFrom: string;
  /** Next date to deliver, or undefined when done. */
  readonly nextDate: string | undefined;
  /** Dates still to deliver. */
  readonly remaining: number;
  /** Whether the timer runs. */
  readonly running: boolean;
  /** Writes the history (everything before `liveFrom`) unless the state file says it exists. */
  writeHistory(): Promise<DemoWriteResult | undefined>;
  /** Writes the next date now; undefined when everything is delivered. */
  step(): Promise<DemoDripStep | undefined>;
  /** Writes the history if needed, then delivers one date per interval until done or stopped. */
  start(): Promise<void>;
  /** Stops the timer and waits for a write in progress. */
  stop(): Promise<void>;
}

/** What the state file holds. */
interface DripState {
  version: 1;
  seed: number;
  from: string;
  to: string;
  liveFrom: string;
  historyWritten: boolean;
  /** Last date delivered, or null. */
  lastDate: string | null;
}

function readState(file: string): DripState | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DripState>;
    return parsed.version === 1 ? (parsed as DripState) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a drip (generating the market, well under a second for ten years). Nothing is written
 * until `writeHistory`, `step` or `start` is called.
 */
export function createDemoDrip(options: DemoDripOptions): DemoDrip {
  const liveDays = options.liveDays ?? 90;
  const intervalMs = options.intervalMs ?? 10_000;
  if (typeof options.inbox !== 'string' || options.inbox === '')
    throw new MarketInvalidOptionError(
      'demo drip inbox',
      options.inbox,
      'the folder to drop files into',
    );
  if (!Number.isFinite(intervalMs) || intervalMs < 10)
    throw new MarketInvalidOptionError(
      'demo drip intervalMs',
      intervalMs,
      'a number of milliseconds >= 10',
    );
  const market = generateDemoMarket(options);
  const first = parseDay(market.from)!;
  const last = parseDay(market.to)!;
  if (!Number.isInteger(liveDays) || liveDays < 1 || liveDays > last - first)
    throw new MarketInvalidOptionError(
      'demo drip liveDays',
      liveDays,
      `an integer from 1 to ${last - first} (the range has ${last - first + 1} days)`,
    );
  const inbox = path.resolve(options.inbox);
  const stateFile = path.resolve(options.stateFile ?? path.join(inbox, '.demo-drip.json'));
  const liveFrom = formatDay(last - liveDays + 1);
  const fresh: DripState = {
    version: 1,
    seed: market.seed,
    from: market.from,
    to: market.to,
    liveFrom,
    historyWritten: false,
    lastDate: null,
  };
  const saved = readState(stateFile);
  const same =
    saved?.seed === fresh.seed &&
    saved.from === fresh.from &&
    saved.to === fresh.to &&
    saved.liveFrom === fresh.liveFrom;
  let state: DripState = same ? saved : fresh;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let busy: Promise<unknown> = Promise.resolve();

  const next = (): number =>
    state.lastDate === null ? last - liveDays + 1 : (parseDay(state.lastDate) ?? last) + 1;
  const save = async (update: Partial<DripState>): Promise<void> => {
    const updated = { ...state, ...update };
    await mkdir(path.dirname(stateFile), { recursive: true });
    const temp = `${stateFile}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(updated, null, 2) + '\n');
    await rename(temp, stateFile);
    state = updated;
  };
  // One write at a time: the timer and direct calls queue behind each other.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = busy.then(fn, fn);
    busy = run.catch(() => undefined);
    return run;
  };

  const writeHistory = (): Promise<DemoWriteResult | undefined> =>
    serial(async () => {
      if (state.historyWritten) return undefined;
      const result = await writeDemoFiles(market, inbox, {
        layout: 'history',
        to: formatDay(last - liveDays),
      });
      await save({ historyWritten: true });
      return result;
    });

  const step = (): Promise<DemoDripStep | undefined> =>
    serial(async () => {
      const day = next();
      if (day > last) return undefined;
      const date = formatDay(day);
      const written = await writeDemoFiles(market, inbox, {
        layout: 'daily',
        from: date,
        to: date,
        instruments: false,
        readme: false,
      });
      await save({ lastDate: date });
      const done = { date, files: written.files, remaining: last - day };
      options.onStep?.(done);
      return done;
    });

  const tick = (): void => {
    timer = undefined;
    if (!running) return;
    step().then(
      (done) => {
        if (done === undefined || done.remaining === 0) {
          running = false;
          options.onDone?.();
        } else if (running) timer = setTimeout(tick, intervalMs);
      },
      (err: unknown) => {
        options.onError?.(err);
        if (running) timer = setTimeout(tick, intervalMs);
      },
    );
  };

  return {
    market,
    liveFrom,
    get nextDate() {
      const day = next();
      return day > last ? undefined : formatDay(day);
    },
    get remaining() {
      return Math.max(0, last - next() + 1);
    },
    get running() {
      return running;
    },
    writeHistory,
    step,
    async start() {
      if (running) return;
      if (options.history ?? true) await writeHistory();
      running = true;
      if (next() > last) {
        running = false;
        options.onDone?.();
        return;
      }
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await busy;
    },
  };
}
