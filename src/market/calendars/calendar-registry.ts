/**
 * The calendars marketlake knows, by name. Instances are created once and shared, so every
 * caller profits from the year tables any other caller has already built.
 */
import { MarketUnknownCalendarError } from '../errors.js';
import { cryptoDefinition } from './crypto.js';
import { TabulatedCalendar } from './exchange-calendar.js';
import { fxDefinition } from './fx.js';
import type { CalendarDefinition } from './session-table.js';
import type { CalendarName, ExchangeCalendar } from './types.js';
import { xkrxDefinition } from './xkrx.js';
import { xnasDefinition, xnysDefinition } from './xnys.js';

const DEFINITIONS: Readonly<Record<CalendarName, CalendarDefinition>> = {
  XNYS: xnysDefinition,
  XNAS: xnasDefinition,
  XKRX: xkrxDefinition,
  CRYPTO: cryptoDefinition,
  FX: fxDefinition,
};

const NAMES = Object.keys(DEFINITIONS) as CalendarName[];
const instances = new Map<CalendarName, ExchangeCalendar>();

function isCalendarName(name: string): name is CalendarName {
  return Object.hasOwn(DEFINITIONS, name);
}

/** Names of every calendar `getCalendar` accepts, in a stable order. */
export function listCalendars(): CalendarName[] {
  return [...NAMES];
}

/**
 * The calendar called `name` (case-insensitive: 'xnys' works). Throws
 * `MarketUnknownCalendarError` listing the accepted names for anything else.
 */
export function getCalendar(name: string): ExchangeCalendar {
  const canonical = typeof name === 'string' ? name.trim().toUpperCase() : '';
  if (!isCalendarName(canonical)) throw new MarketUnknownCalendarError(String(name), NAMES);
  let calendar = instances.get(canonical);
  if (calendar === undefined) {
    calendar = new TabulatedCalendar(canonical, DEFINITIONS[canonical]);
    instances.set(canonical, calendar);
  }
  return calendar;
}
