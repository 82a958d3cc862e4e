export * from './config-spec.js';
export * from './define-config.js';
export * from './load-config.js';
export * from './sdk-entry.js';
