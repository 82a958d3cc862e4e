import { pino, type Logger } from 'pino';

/** Structured JSON logger type used across marketlake. */
export type { Logger };

/** Keys whose values are never logged. */
export const redactedPaths: string[] = [
  'password',
  'secret',
  'token',
  'apiKey',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  'headers.authorization',
  'config.databaseUrl',
];

/** Creates the process logger: JSON lines on stderr, level from `MARKETLAKE_LOG_LEVEL`. */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'marketlake',
      level: options.level ?? process.env['MARKETLAKE_LOG_LEVEL'] ?? 'info',
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
