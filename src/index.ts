/**
 * The public SDK of marketlake: what a project's `marketlake.config.ts` and pipeline files import
 * as `from 'marketlake'`.
 */
export { defineConfig } from './core/index.js';
export type { UserConfig, MarketlakeConfig } from './core/index.js';
