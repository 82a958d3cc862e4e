/**
 * Freshness policies from asset tags. `tags: { freshness: '1 session', calendar: 'XKRX' }` counts
 * in trading sessions of the calendar, so weekends and holidays never make an asset stale: the
 * asset is stale when it has not materialized since the close of the N-th session before the
 * latest closed one. With '1 session' on XNYS, data materialized after Friday's close is fresh
 * all weekend and through Monday; if Monday's session is missed, it is stale from Tuesday's close.
 * `freshness: '26h'` (any duration) needs no calendar: stale when older than that.
 */
import { getCalendar } from '../../market/index.js';
import { parseDurationMs } from '../../observe/index.js';
import { formatDay } from '../partitions/civil-date.js';
import { localDayOf } from '../partitions/zoned-date.js';

/** A freshness policy, parsed. */
export type FreshnessPolicy =
  | { readonly kind: 'sessions'; readonly sessions: number; readonly calendar: string }
  | { readonly kind: 'duration'; readonly ms: number };

const SESSIONS = /^(\d{1,3})\s*sessions?$/i;

/**
 * The policy of an asset's tags: undefined without a `freshness` tag; a string saying what is
 * wrong (and how to write it) when the tags are invalid.
 */
export function freshnessPolicyOf(
  tags: Readonly<Record<string, string>>,
): FreshnessPolicy | string | undefined {
  const text = tags['freshness']?.trim();
  if (text === undefined || text === '') return undefined;
  const m = SESSIONS.exec(text);
  if (m !== null) {
    const calendar = tags['calendar']?.trim();
    if (calendar === undefined || calendar === '')
      return `freshness "${text}" counts sessions and needs a calendar tag, e.g. tags: { freshness: '${text}', calendar: 'XNYS' }`;
    try {
      return { kind: 'sessions', sessions: Number(m[1]), calendar: getCalendar(calendar).name };
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
  try {
    return { kind: 'duration', ms: parseDurationMs(text, 'freshness') };
  } catch {
    return `freshness "${text}" is neither a session count ('1 session', '2 sessions' with a calendar tag) nor a duration ('26h', '90m')`;
  }
}

/** The policy in words, e.g. `1 session of XNYS` or `26h`. */
export function describeFreshness(policy: FreshnessPolicy, text: string): string {
  return policy.kind === 'sessions'
    ? `${policy.sessions} session${policy.sessions === 1 ? '' : 's'} of ${policy.calendar}`
    : text.trim();
}

/** The latest session of `calendarName` that closed at or before `nowMs`. */
export function latestClosedSession(calendarName: string, nowMs: number): string {
  const calendar = getCalendar(calendarName);
  const today = formatDay(localDayOf(nowMs, calendar.timezone));
  if (calendar.isSession(today) && calendar.sessionClose(today) <= nowMs) return today;
  // A session named by tomorrow's date may have closed already (FX names a session by its close).
  return calendar.previousSession(today);
}

/** The instant before which an asset's latest materialization is stale at `nowMs`. */
export function staleBefore(policy: FreshnessPolicy, nowMs: number): number {
  if (policy.kind === 'duration') return nowMs - policy.ms;
  const calendar = getCalendar(policy.calendar);
  let session = latestClosedSession(policy.calendar, nowMs);
  for (let i = 0; i < policy.sessions; i += 1) session = calendar.previousSession(session);
  return calendar.sessionClose(session);
}
