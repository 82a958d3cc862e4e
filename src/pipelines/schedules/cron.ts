/**
 * Cron expressions, parsed by croner: 5 fields (minute precision) or 6 (seconds first), in an
 * IANA time zone.
 *
 * `fixedTimeRule: 'no-wildcard'` makes any job whose second, minute and hour fields are plain
 * values or lists (`30 2 * * *`, `0 9,15 * * *`) a fixed-time job: on a spring-forward day a time
 * in the gap fires at the first valid time after it, and on a fall-back day a repeated time fires
 * once. Interval jobs (`*\/15 * * * *`) keep their interval across the change instead.
 */
import { Cron } from 'croner';
import { PipelinesInvalidCronError } from '../errors.js';

const compiled = new Map<string, Cron>();

/** Compiles (and caches) `expression` in `timezone`; throws croner's error when invalid. */
export function compileCron(expression: string, timezone: string): Cron {
  const key = `${timezone}\n${expression}`;
  let cron = compiled.get(key);
  if (cron === undefined) {
    // paused: this object only computes times; the scheduler owns timers.
    cron = new Cron(expression, {
      timezone,
      paused: true,
      mode: '5-or-6-parts',
      fixedTimeRule: 'no-wildcard',
    });
    compiled.set(key, cron);
  }
  return cron;
}

/** Validates `expression` for the schedule called `name`, throwing PIPELINES_INVALID_CRON. */
export function validateCron(name: string, expression: unknown, timezone: string): string {
  const fix =
    "Use 5 fields 'minute hour day-of-month month day-of-week' (e.g. '30 18 * * 1-5' for 18:30 on weekdays) or 6 with seconds first ('0 30 18 * * 1-5').";
  if (typeof expression !== 'string' || expression.trim() === '') {
    const problem = `Schedule "${name}": cron is ${JSON.stringify(expression) ?? String(expression)}, not an expression.`;
    throw new PipelinesInvalidCronError(`${problem} ${fix}`, {
      details: { schedule: name, cron: String(expression), problem, fix },
    });
  }
  try {
    compileCron(expression, timezone);
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern:\s*/, '').replace(/\.\s*$/, '');
    const problem = `Schedule "${name}": invalid cron expression "${expression}" (${reason}).`;
    throw new PipelinesInvalidCronError(`${problem} ${fix}`, {
      cause: error,
      details: { schedule: name, cron: expression, problem, fix },
    });
  }
  return expression;
}
