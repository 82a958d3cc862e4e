/**
 * Session-by-session check of XNYS, XNAS and XKRX against exchange_calendars' reference data
 * (shared/data/calendars, see shared/data/README.md): the set of session dates and every
 * open, close and break instant. The data stays outside the repository; MARKETLAKE_SHARED_DATA
 * points at another copy of shared/data when it lives elsewhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { getCalendar } from '../index.js';
import type { ExchangeCalendar } from '../index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = process.env.MARKETLAKE_SHARED_DATA ?? resolve(repoRoot, '../shared/data');

interface ReferenceSession {
  readonly open: number;
  readonly close: number;
  readonly breakStart?: number;
  readonly breakEnd?: number;
}

function readReference(file: string): Map<string, ReferenceSession> {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const sessions = new Map<string, ReferenceSession>();
  for (const line of text.trim().split('\n').slice(1)) {
    const [date, open, close, breakStart, breakEnd] = line.trim().split(',');
    if (date === undefined || open === undefined || close === undefined) {
      throw new Error(`malformed reference line "${line}" in ${file}`);
    }
    sessions.set(date.slice(0, 10), {
      open: Date.parse(open),
      close: Date.parse(close),
      ...(breakStart ? { breakStart: Date.parse(breakStart) } : {}),
      ...(breakEnd ? { breakEnd: Date.parse(breakEnd) } : {}),
    });
  }
  return sessions;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString();
}

/** Every difference between the calendar and the reference, one line each. */
function differences(
  calendar: ExchangeCalendar,
  reference: Map<string, ReferenceSession>,
): string[] {
  const dates = [...reference.keys()];
  const first = dates[0] as string;
  const last = dates[dates.length - 1] as string;
  const problems: string[] = [];
  const ours = calendar.sessions(first, last);
  const ourSet = new Set(ours);
  for (const date of dates) if (!ourSet.has(date)) problems.push(`${date}: missing session`);
  for (const date of ours) if (!reference.has(date)) problems.push(`${date}: extra session`);
  for (const [date, expected] of reference) {
    if (!ourSet.has(date)) continue;
    const brk = calendar.sessionBreak(date);
    const actual = {
      open: calendar.sessionOpen(date),
      close: calendar.sessionClose(date),
      breakStart: brk?.start,
      breakEnd: brk?.end,
    };
    for (const key of ['open', 'close', 'breakStart', 'breakEnd'] as const) {
      if (actual[key] !== expected[key]) {
        problems.push(`${date}: ${key} ${iso(actual[key])}, expected ${iso(expected[key])}`);
      }
    }
    const breakMs = (expected.breakEnd ?? 0) - (expected.breakStart ?? 0);
    const expectedMinutes = (expected.close - expected.open - breakMs) / 60_000;
    if (calendar.minutes(date) !== expectedMinutes) {
      problems.push(`${date}: minutes ${calendar.minutes(date)}, expected ${expectedMinutes}`);
    }
  }
  // isSession answers from a different index than sessions(): check it on every day as well.
  for (let ms = Date.parse(first); ms <= Date.parse(last); ms += 86_400_000) {
    const date = new Date(ms).toISOString().slice(0, 10);
    if (calendar.isSession(date) !== reference.has(date)) {
      problems.push(
        `${date}: isSession ${calendar.isSession(date)}, expected ${reference.has(date)}`,
      );
    }
  }
  return problems;
}

const cases = [
  { calendar: 'XNYS', file: 'xnys.csv.gz', sessions: 8_324 },
  { calendar: 'XNAS', file: 'xnys.csv.gz', sessions: 8_324 },
  { calendar: 'XKRX', file: 'xkrx.csv.gz', sessions: 10_712 },
] as const;

describe('calendars against the exchange_calendars reference sessions', () => {
  for (const { calendar: name, file, sessions } of cases) {
    const path = join(dataDir, 'calendars', file);
    it(`${name} matches ${file} session by session`, (context) => {
      if (!existsSync(path)) {
        const message =
          `reference data missing: ${path} does not exist. Check out shared/ beside the ` +
          `repository or set MARKETLAKE_SHARED_DATA to the shared/data folder.`;
        if (process.env.CI === 'true') throw new Error(message);
        context.skip(message);
      }
      const reference = readReference(path);
      expect(reference.size).toBe(sessions);
      const problems = differences(getCalendar(name), reference);
      expect(problems.slice(0, 40), `${problems.length} differences`).toEqual([]);
    });
  }
});
