import type { UserConfig } from './config-spec.js';

/** Typed helper for `marketlake.config.ts`: `export default defineConfig({ port: 7420 })`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}
