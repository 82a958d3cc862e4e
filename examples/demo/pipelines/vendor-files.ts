// Real vendor files, by file drop (the path for separated networks): copy a KRX daily export
// (Korean names, YYYYMMDD dates) into inbox/krx/. Bad rows are quarantined with their line
// numbers, the original is archived under inbox/krx/archive/YYYY/MM/DD/, and
// `marketlake bars 005930 --from 2023-01-01` shows it. The mapping says how to read the file.
import {
  NonRetryableError,
  asset,
  barChecks,
  inbox,
  ingestDroppedFile,
  parseVendorMapping,
} from 'marketlake';

const krxDaily = parseVendorMapping(
  {
    vendor: 'krx-daily',
    description: 'KRX daily bars export: date,open,high,low,close,volume,ticker,code,name,interval',
    dataset: 'bars_1d',
    format: 'csv',
    columns: { symbol: 'code' },
    dateFormat: '%Y%m%d',
    symbols: { padTo: 6 },
  },
  'pipelines/vendor-files.ts',
);

export const krx_vendor_files = asset({
  name: 'krx_vendor_files',
  dataset: 'bars_1d',
  description: 'KRX vendor files dropped into inbox/krx/ (real data you bring).',
  run: async (ctx) => {
    // Run by hand there is no file, and another attempt would not bring one: fail at once.
    if (ctx.file === undefined)
      throw new NonRetryableError('krx_vendor_files runs on files dropped into inbox/krx/.');
    const result = await ingestDroppedFile(ctx.lake, ctx.file, krxDaily, { inPlace: true });
    ctx.log.info(
      `${result.file}: ${result.rowsImported} rows, ${result.rowsQuarantined} quarantined (marketlake quarantine)`,
    );
    ctx.addMetadata({ rows: result.rowsImported, quarantined: result.rowsQuarantined });
  },
  checks: [barChecks({ dataset: 'bars_1d', blocking: false })],
});

export const krx_drop = inbox('inbox/krx', {
  name: 'krx_vendor_drop',
  pattern: '*.{csv,csv.gz,tsv,jsonl}',
  select: 'krx_vendor_files',
  every: '2s',
  stableMs: '2s',
});
