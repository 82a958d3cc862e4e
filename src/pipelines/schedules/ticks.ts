/**
 * When a schedule fires: the next and previous ticks, the ticks in a window, and which ticks to
 * run after the scheduler was away (the catch-up policy).
 *
 * All instants are UTC epoch milliseconds and every function takes the current time as an
 * argument: the scheduler passes its clock, tests pass a pinned instant.
 */
import { getCalendar, type ExchangeCalendar } from '../../market/index.js';
import { formatDay, parseDay } from '../partitions/civil-date.js';
import { localDayOf, startOfLocalDay } from '../partitions/zoned-date.js';
import type { ScheduleDefinition } from '../sdk/schedule.js';
import { compileCron } from './cron.js';

/**
 * A cron that matches only non-session days must not make a search run forever. Each step jumps
 * to the next session, so a real schedule needs one step per skipped non-session tick.
 */
const MAX_SEARCH_STEPS = 2_000;
/** Ticks `missedTicks` returns or counts in one call; the cursor lets the caller continue. */
export const DEFAULT_MAX_TICKS = 1_000;

type Direction = 'next' | 'previous';

/** The raw cron's neighbouring fire time, strictly after/before `ref`. */
function cronStep(
  schedule: ScheduleDefinition,
  ref: number,
  direction: Direction,
): number | undefined {
  const cron = compileCron(schedule.cron, schedule.timezone);
  const found =
    direction === 'next' ? cron.nextRun(new Date(ref)) : cron.previousRuns(1, new Date(ref))[0];
  return found === null || found === undefined ? undefined : found.getTime();
}

/**
 * Steps through cron ticks until one falls on a session of the schedule's calendar, jumping
 * straight to the next (or previous) session's day instead of walking every tick of a holiday.
 */
function search(
  schedule: ScheduleDefinition,
  ref: number,
  direction: Direction,
): number | undefined {
  const calendar: ExchangeCalendar | undefined =
    schedule.calendar === undefined ? undefined : getCalendar(schedule.calendar);
  let tick = cronStep(schedule, ref, direction);
  if (calendar === undefined) return tick;
  const firstDay = parseDay(calendar.firstDate) as number;
  const lastDay = parseDay(calendar.lastDate) as number;
  for (let step = 0; tick !== undefined && step < MAX_SEARCH_STEPS; step += 1) {
    const day = localDayOf(tick, calendar.timezone);
    if (direction === 'next' ? day > lastDay : day < firstDay) return undefined;
    if (day >= firstDay && day <= lastDay && calendar.isSession(formatDay(day))) return tick;
    let jumpDay: number;
    if (day < firstDay) jumpDay = firstDay;
    else if (day > lastDay) jumpDay = lastDay;
    else {
      try {
        const date = formatDay(day);
        jumpDay = parseDay(
          direction === 'next' ? calendar.nextSession(date) : calendar.previousSession(date),
        ) as number;
      } catch {
        return undefined; // no session left within the calendar's years
      }
    }
    // Ticks on or after the start of jumpDay (next), or before the end of jumpDay (previous).
    tick =
      direction === 'next'
        ? cronStep(schedule, startOfLocalDay(jumpDay, calendar.timezone) - 1, 'next')
        : cronStep(schedule, startOfLocalDay(jumpDay + 1, calendar.timezone), 'previous');
  }
  return undefined;
}

/** The first tick strictly after `after`, or undefined when the schedule never fires again. */
export function nextTick(schedule: ScheduleDefinition, after: number): number | undefined {
  return search(schedule, after, 'next');
}

/** The last tick at or before `atOrBefore`, or undefined when there is none. */
export function previousTick(schedule: ScheduleDefinition, atOrBefore: number): number | undefined {
  // Cron ticks fall on whole seconds and croner looks strictly before its reference, so the
  // reference is the next whole second: that keeps a tick exactly at `atOrBefore`.
  return search(schedule, Math.floor(atOrBefore / 1000) * 1000 + 1000, 'previous');
}

/** Ticks in (`after`, `until`], oldest first, at most `limit`. */
export function ticksBetween(
  schedule: ScheduleDefinition,
  after: number,
  until: number,
  limit = DEFAULT_MAX_TICKS,
): number[] {
  const ticks: number[] = [];
  let tick = nextTick(schedule, after);
  while (tick !== undefined && tick <= until && ticks.length < limit) {
    ticks.push(tick);
    tick = nextTick(schedule, tick);
  }
  return ticks;
}

/** Options of `missedTicks`. */
export interface MissedTicksOptions {
  /** Under catchUp 'none', a tick at most this old still counts as on time (default 60 s). */
  graceMs?: number;
  /** Most ticks fired (catchUp 'all') or counted as skipped per call (default 1000). */
  maxTicks?: number;
}

/** What the scheduler should do about the ticks since it last looked. */
export interface TickDecision {
  /** Ticks to run now, oldest first. */
  readonly fire: readonly number[];
  /** Elapsed ticks that will not run (counted up to `maxTicks`). */
  readonly skipped: number;
  /** The tick to store as "last tick" for the next call. */
  readonly cursor: number;
  /** True when catchUp 'all' hit `maxTicks`: call again from `cursor` for the rest. */
  readonly more: boolean;
}

/**
 * Decides which of the ticks in (`lastTick`, `now`] to run, following `schedule.catchUp`:
 * 'all' runs each of them; 'once' (default) runs only the latest, so a scheduler that was down
 * for a week runs one catch-up, not five; 'none' runs the latest only if it is at most `graceMs`
 * old (on time) and skips missed ones. Without a `lastTick` (a new schedule) nothing is due and
 * the cursor starts at `now`.
 */
export function missedTicks(
  schedule: ScheduleDefinition,
  lastTick: number | undefined,
  now: number,
  options: MissedTicksOptions = {},
): TickDecision {
  const graceMs = options.graceMs ?? 60_000;
  const maxTicks = options.maxTicks ?? DEFAULT_MAX_TICKS;
  if (lastTick === undefined || lastTick >= now) {
    return { fire: [], skipped: 0, cursor: lastTick ?? now, more: false };
  }
  if (schedule.catchUp === 'all') {
    const fire = ticksBetween(schedule, lastTick, now, maxTicks);
    const cursor = fire[fire.length - 1] ?? lastTick;
    const more = fire.length === maxTicks && (nextTick(schedule, cursor) ?? Infinity) <= now;
    return { fire, skipped: 0, cursor, more };
  }
  const latest = previousTick(schedule, now);
  if (latest === undefined || latest <= lastTick)
    return { fire: [], skipped: 0, cursor: lastTick, more: false };
  const elapsed = ticksBetween(schedule, lastTick, latest, maxTicks + 1).length;
  const onTime = schedule.catchUp === 'once' || now - latest <= graceMs;
  return {
    fire: onTime ? [latest] : [],
    skipped: Math.min(maxTicks, onTime ? elapsed - 1 : elapsed),
    cursor: latest,
    more: false,
  };
}
