/**
 * The synthetic demo market: a seeded, deterministic generator of made-up instruments, prices,
 * corporate actions and planted data errors, its vendor files, and a live drip into an inbox.
 */
export { DEMO_DEFAULTS, generateDemoMarket, resolveDemoOptions } from './generate.js';
export type { ResolvedDemoOptions } from './generate.js';
export { createDemoDrip } from './drip.js';
export { DEMO_FEEDS } from './feeds.js';
export type { DemoFeed } from './feeds.js';
export type { DemoDrip, DemoDripOptions, DemoDripStep } from './drip.js';
export { STALE_RUN_SESSIONS, SPIKE_FACTOR } from './planted-errors.js';
export { DemoRandom } from './random.js';
export { DEMO_SOURCE } from './types.js';
export type {
  DemoBars,
  DemoCorporateAction,
  DemoInstrument,
  DemoMarket,
  DemoMarketName,
  DemoMarketOptions,
  PlantedError,
  PlantedErrorKind,
} from './types.js';
export { VENDOR_FORMATS } from './vendor-rows.js';
export type { VendorFormat } from './vendor-rows.js';
export { demoReadme, writeDemoFiles } from './write-files.js';
export type { DemoFile, DemoWriteOptions, DemoWriteResult } from './write-files.js';
