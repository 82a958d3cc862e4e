export * from './errors.js';
export * from './failpoint.js';
export * from './ids.js';
export * from './logger.js';
export * from './outbound-http.js';
export * from './version.js';
export * from './config/index.js';
export * from './civil-date.js';
