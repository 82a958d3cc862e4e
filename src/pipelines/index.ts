/**
 * The pipelines domain's public door: the SDK (assets, schedules, sensors, partitions, retry),
 * schedule evaluation, and the project loader. Other domains import from here only.
 */
export * from './errors.js';
export * from './executor/index.js';
export * from './loader/index.js';
export * from './partitions/index.js';
export * from './schedules/index.js';
export * from './sdk/index.js';
export * from './runs/index.js';
export * from './runtime/index.js';
export * from './alerting/index.js';
