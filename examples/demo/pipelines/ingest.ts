// File-drop ingestion of the SYNTHETIC demo feed (see ../README.md): each vendor file dropped into
// inbox/ is handed to the asset of its feed, imported with bad rows quarantined (file and line),
// then archived under inbox/archive/YYYY/MM/DD/ (or moved to inbox/failed/ with the error).
import { readFileSync } from 'node:fs';
import { NonRetryableError, asset, barChecks, inbox, type AssetContext } from 'marketlake';

/** First and last date in the file's `date` column (YYYY-MM-DD or YYYYMMDD), for the checks. */
function dateRange(file: string): { from: string; to: string } | undefined {
  const [header = '', ...lines] = readFileSync(file, 'utf8').split('\n');
  const at = header.split(',').indexOf('date');
  if (at < 0) return undefined;
  let from: string | undefined;
  let to: string | undefined;
  for (const line of lines) {
    const raw = line.split(',')[at] ?? '';
    const day = /^\d{8}$/.test(raw) ? `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6)}` : raw;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    if (from === undefined || day < from) from = day;
    if (to === undefined || day > to) to = day;
  }
  return from !== undefined && to !== undefined ? { from, to } : undefined;
}

/** Imports the file an inbox sensor handed to this run into `dataset`. */
function importInto(dataset: string, options: { dateFormat?: string } = {}) {
  return async (ctx: AssetContext) => {
    const file = ctx.file;
    // Run by hand there is no file, and another attempt would not bring one: fail at once.
    if (file === undefined)
      throw new NonRetryableError(`${ctx.asset} runs on files dropped into inbox/.`);
    const result = await ctx.lake.import(dataset, [file], options);
    ctx.log.info(
      `${file}: ${result.rowsImported} rows into ${dataset}, ${result.rowsQuarantined} quarantined`,
    );
    // The dates written: the quality checks look at exactly these.
    ctx.addMetadata({
      file,
      rows: result.rowsImported,
      quarantined: result.rowsQuarantined,
      ...dateRange(file),
    });
  };
}

const every = '2s';
const stableMs = '1s';

export const demo_instruments = asset({
  name: 'demo_instruments',
  dataset: 'instruments',
  description: 'SYNTHETIC instruments master (Korean names for XKRX).',
  run: importInto('instruments'),
});

export const demo_actions = asset({
  name: 'demo_actions',
  dataset: 'corporate_actions',
  description: 'SYNTHETIC splits and dividends.',
  run: importInto('corporate_actions'),
});

export const us_eod = asset({
  name: 'us_eod',
  dataset: 'bars_1d',
  description: 'SYNTHETIC US end-of-day bars (XNYS), raw prices.',
  run: importInto('bars_1d'),
  checks: [barChecks({ dataset: 'bars_1d', blocking: false })],
  tags: { freshness: '1 session', calendar: 'XNYS' },
});

export const krx_daily = asset({
  name: 'krx_daily',
  dataset: 'bars_1d',
  description: 'SYNTHETIC KRX daily bars in a Korean vendor layout (YYYYMMDD dates).',
  run: importInto('bars_1d', { dateFormat: '%Y%m%d' }),
  checks: [barChecks({ dataset: 'bars_1d', blocking: false })],
  tags: { freshness: '1 session', calendar: 'XKRX' },
});

export const crypto_daily = asset({
  name: 'crypto_daily',
  dataset: 'bars_1d',
  description: 'SYNTHETIC crypto daily bars (every calendar day, UTC).',
  run: importInto('bars_1d'),
});

export const fx_daily = asset({
  name: 'fx_daily',
  dataset: 'bars_1d',
  description: 'SYNTHETIC USDKRW daily bars (FX calendar).',
  run: importInto('bars_1d'),
});

export const inboxes = [
  inbox('inbox', {
    name: 'instruments_files',
    pattern: 'instruments.csv',
    select: 'demo_instruments',
    every,
    stableMs,
  }),
  inbox('inbox', {
    name: 'actions_files',
    pattern: 'corporate-actions-*.csv',
    select: 'demo_actions',
    every,
    stableMs,
  }),
  inbox('inbox', { name: 'us_files', pattern: 'us-eod-*.csv', select: 'us_eod', every, stableMs }),
  inbox('inbox', {
    name: 'krx_files',
    pattern: 'krx-daily-*.csv',
    select: 'krx_daily',
    every,
    stableMs,
  }),
  inbox('inbox', {
    name: 'crypto_files',
    pattern: 'crypto-daily-*.csv',
    select: 'crypto_daily',
    every,
    stableMs,
  }),
  inbox('inbox', {
    name: 'fx_files',
    pattern: 'fx-daily-*.csv',
    select: 'fx_daily',
    every,
    stableMs,
  }),
];
