/**
 * The market domain's public door: instruments, calendars, bars and analytics. Other domains
 * import from here, never from files inside src/market.
 */
export * from './calendars/index.js';
export * from './demo/index.js';
export * from './errors.js';
export * from './adjust/index.js';
export * from './instruments/index.js';
export * from './quality/index.js';
export {
  calendarInfos,
  sessionTimes,
  type CalendarInfo,
  type SessionTimes,
} from './session-times.js';
