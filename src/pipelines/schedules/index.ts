/** Schedule evaluation: cron parsing, ticks, catch-up decisions and tick targets. */
export { compileCron, validateCron } from './cron.js';
export {
  DEFAULT_MAX_TICKS,
  missedTicks,
  nextTick,
  previousTick,
  ticksBetween,
  type MissedTicksOptions,
  type TickDecision,
} from './ticks.js';
export { tickTarget, type TickTarget } from './tick-target.js';
