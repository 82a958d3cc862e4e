import { MarketlakeError } from '../core/index.js';

/** Raised when `getCalendar` is asked for a calendar marketlake does not define. */
export class MarketUnknownCalendarError extends MarketlakeError {
  readonly code = 'MARKET_UNKNOWN_CALENDAR';

  constructor(name: string, accepted: readonly string[]) {
    super(
      `Unknown exchange calendar "${name}". Accepted names (case-insensitive): ${accepted.join(', ')}.`,
      { details: { name, accepted } },
    );
  }
}

/** Raised when a session date is not an existing calendar date written as 'YYYY-MM-DD'. */
export class MarketInvalidDateError extends MarketlakeError {
  readonly code = 'MARKET_INVALID_DATE';

  constructor(value: unknown) {
    const shown = typeof value === 'string' ? `"${value}"` : `${String(value)} (${typeof value})`;
    super(
      `Invalid date ${shown}: expected an existing calendar date as a 'YYYY-MM-DD' string in the ` +
        `exchange's local calendar, e.g. '2024-03-15'.`,
      { details: { value: typeof value === 'string' ? value : String(value) } },
    );
  }
}

/** Raised when a date lies outside the years a calendar defines, or a search runs past them. */
export class MarketDateOutOfRangeError extends MarketlakeError {
  readonly code = 'MARKET_DATE_OUT_OF_RANGE';

  /** `searching` is set when no session exists `after`/`before` an in-range date within range. */
  constructor(
    calendar: string,
    date: string,
    firstDate: string,
    lastDate: string,
    searching?: 'after' | 'before',
  ) {
    const range = `the ${calendar} calendar's supported range ${firstDate}..${lastDate}`;
    super(
      searching === undefined
        ? `Date ${date} is outside ${range}; pass a date within that range.`
        : `No ${calendar} session ${searching} ${date} within ${range}.`,
      { details: { calendar, date, firstDate, lastDate, searching } },
    );
  }
}

/** Raised when a per-session question (open, close, minutes) is asked about a non-session date. */
export class MarketNotASessionError extends MarketlakeError {
  readonly code = 'MARKET_NOT_A_SESSION';

  constructor(calendar: string, date: string, previous?: string, next?: string) {
    const around = [
      previous === undefined ? undefined : `the previous session is ${previous}`,
      next === undefined ? undefined : `the next session is ${next}`,
    ].filter((part) => part !== undefined);
    super(
      `${date} is not a session of ${calendar} (weekend, holiday or closure)` +
        (around.length > 0 ? `; ${around.join(' and ')}` : '') +
        `. Check isSession(date) first, or use nextSession/previousSession.`,
      { details: { calendar, date, previous, next } },
    );
  }
}

/** Raised when a date range is reversed (`from` after `to`). */
export class MarketInvalidDateRangeError extends MarketlakeError {
  readonly code = 'MARKET_INVALID_DATE_RANGE';

  constructor(from: string, to: string) {
    super(`Invalid date range: from ${from} is after to ${to}; pass from <= to.`, {
      details: { from, to },
    });
  }
}

/** Raised when an option of a market read, import or check is missing or has a wrong value. */
export class MarketInvalidOptionError extends MarketlakeError {
  readonly code = 'MARKET_INVALID_OPTION';

  constructor(option: string, value: unknown, accepted: string) {
    super(`Invalid ${option} ${JSON.stringify(value) ?? String(value)}: expected ${accepted}.`, {
      details: { option, value: typeof value === 'string' ? value : String(value), accepted },
    });
  }
}

/** Raised when quality checks are asked to run over a dataset that does not hold OHLCV bars. */
export class MarketNotBarsDatasetError extends MarketlakeError {
  readonly code = 'MARKET_NOT_BARS_DATASET';

  constructor(dataset: string, missing: readonly string[]) {
    super(
      `Dataset "${dataset}" is not a bars dataset: it lacks ${missing.join(', ')}. Market checks ` +
        `need symbol, date (DATE) or ts (TIMESTAMP), open, high, low, close and volume columns.`,
      { details: { dataset, missing } },
    );
  }
}

/** Raised when stored corporate actions cannot be applied (a dividend at or above the price, a symbol-change cycle). */
export class MarketActionInvalidError extends MarketlakeError {
  readonly code = 'MARKET_ACTION_INVALID';
}

/** A bars file to import cannot be read (missing, empty, no header, a column missing). */
export class MarketImportFileError extends MarketlakeError {
  readonly code = 'MARKET_IMPORT_FILE';
}
