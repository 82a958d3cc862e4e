/** Partition key spaces: sessions, daily, monthly, static and two-dimensional. */
export { daily, DailyPartitions, type DailyOptions } from './daily.js';
export { monthly, MonthlyPartitions, type MonthlyOptions } from './monthly.js';
export {
  KEY_SEPARATOR,
  multiPartitions,
  MultiPartitions,
  type PartitionDimension,
} from './multi.js';
export {
  DEFAULT_PAGE_LIMIT,
  type KeyPage,
  type KeyRange,
  type PartitionsDefinition,
  type PartitionsType,
  type TickTargetMode,
} from './partitions-definition.js';
export { sessions, SessionPartitions, type SessionsOptions } from './sessions.js';
export { staticPartitions, StaticPartitions } from './static.js';
export { localDayOf, startOfLocalDay } from './zoned-date.js';
export { formatDay, parseDay } from './civil-date.js';
