import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoDrip, type DemoDripStep } from './drip.js';
import { generateDemoMarket } from './generate.js';
import { writeDemoFiles } from './write-files.js';

/*
 * The live drip: history first, then one date per tick into the inbox, progress kept in a state
 * file so a restart continues; history plus drip hold exactly the rows of the bulk files.
 */

const OPTIONS = { seed: 9, years: 1, from: '2024-01-01', liveDays: 5 } as const;
let inbox: string;

beforeEach(() => {
  inbox = mkdtempSync(path.join(tmpdir(), 'marketlake-demo-drip-'));
});

afterEach(() => rmSync(inbox, { recursive: true, force: true }));

/** Data lines of every bars CSV in `dir`, sorted. */
function barLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^(us-eod|krx-daily|crypto-daily|fx-daily)-.*\.csv$/.test(f))
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n').slice(1))
    .sort();
}

describe('createDemoDrip', () => {
  it('writes the history once, then one date per step, and remembers where it stopped', async () => {
    const drip = createDemoDrip({ ...OPTIONS, inbox, intervalMs: 1_000 });
    expect(drip.liveFrom).toBe('2024-12-27');
    expect(drip.nextDate).toBe('2024-12-27');
    expect(drip.remaining).toBe(5);
    const history = await drip.writeHistory();
    expect(history?.files.map((f) => path.basename(f.path))).toContain('us-eod-history-2024.csv');
    expect(await drip.writeHistory()).toBeUndefined();
    const usHistory = readFileSync(path.join(inbox, 'us-eod-history-2024.csv'), 'utf8');
    expect(usHistory.trimEnd().split('\n').pop()).toMatch(/^2024-12-26,/);

    const step = await drip.step();
    expect(step?.date).toBe('2024-12-27');
    expect(step?.remaining).toBe(4);
    expect(step?.files.map((f) => path.basename(f.path)).sort()).toEqual([
      'crypto-daily-20241227.csv',
      'fx-daily-20241227.csv',
      'krx-daily-20241227.csv',
      'us-eod-20241227.csv',
    ]);
    const state = JSON.parse(readFileSync(path.join(inbox, '.demo-drip.json'), 'utf8')) as {
      lastDate: string;
      historyWritten: boolean;
    };
    expect(state).toMatchObject({ lastDate: '2024-12-27', historyWritten: true });

    // A restarted platform continues after the last date, without rewriting the history.
    const resumed = createDemoDrip({ ...OPTIONS, inbox, intervalMs: 1_000 });
    expect(resumed.nextDate).toBe('2024-12-28');
    expect(await resumed.writeHistory()).toBeUndefined();
    const weekend = await resumed.step();
    expect(weekend?.files.map((f) => path.basename(f.path))).toEqual(['crypto-daily-20241228.csv']);

    // Another seed is another market: it starts over.
    const other = createDemoDrip({ ...OPTIONS, seed: 10, inbox, intervalMs: 1_000 });
    expect(other.nextDate).toBe('2024-12-27');
  });

  it('runs on a timer until the last date, then reports done', async () => {
    const steps: DemoDripStep[] = [];
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const drip = createDemoDrip({
      ...OPTIONS,
      inbox,
      intervalMs: 20,
      onStep: (s) => steps.push(s),
      onDone: () => finished(),
    });
    await drip.start();
    await done;
    expect(drip.running).toBe(false);
    expect(drip.remaining).toBe(0);
    expect(steps.map((s) => s.date)).toEqual([
      '2024-12-27',
      '2024-12-28',
      '2024-12-29',
      '2024-12-30',
      '2024-12-31',
    ]);
    expect(steps.map((s) => s.remaining)).toEqual([4, 3, 2, 1, 0]);
    const names = readdirSync(inbox);
    expect(names).toContain('us-eod-20241231.csv');
    expect(names).not.toContain('krx-daily-20241231.csv'); // KRX closes on the last day of the year
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // History plus drip are exactly the bulk files of the whole range.
    const bulk = path.join(inbox, 'bulk');
    await writeDemoFiles(generateDemoMarket(OPTIONS), bulk);
    expect(barLines(inbox)).toEqual(barLines(bulk));
  });

  it('stops its timer and waits for a write in progress', async () => {
    const steps: string[] = [];
    const drip = createDemoDrip({
      ...OPTIONS,
      inbox,
      intervalMs: 60_000,
      history: false,
      onStep: (s) => steps.push(s.date),
    });
    await drip.start();
    expect(drip.running).toBe(true);
    expect(existsSync(path.join(inbox, 'us-eod-history-2024.csv'))).toBe(false);
    await drip.stop();
    expect(drip.running).toBe(false);
    expect(steps).toEqual([]);
    expect(drip.nextDate).toBe('2024-12-27');
  });

  it('rejects options it cannot honour', () => {
    expect(() => createDemoDrip({ ...OPTIONS, inbox: '' })).toThrow(/demo drip inbox/);
    expect(() => createDemoDrip({ ...OPTIONS, inbox, intervalMs: 1 })).toThrow(/intervalMs/);
    expect(() => createDemoDrip({ ...OPTIONS, inbox, liveDays: 400 })).toThrow(/liveDays/);
  });
});
