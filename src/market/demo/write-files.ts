/**
 * `writeDemoFiles`: the synthetic market as vendor files in a folder (a project's inbox). The
 * history layout packs a market's year into one file, so ten years are a few dozen files; the
 * daily layout writes one file per market and session, as a vendor's end-of-day drop would.
 * Each file is written beside its final name and renamed into place, so a folder watcher never
 * picks up half a file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatDay, parseDay } from '../../core/index.js';
import { MarketInvalidOptionError } from '../errors.js';
import {
  DEMO_SOURCE,
  type DemoCorporateAction,
  type DemoMarket,
  type DemoMarketName,
} from './types.js';
import { VENDOR_FORMATS, VendorRowPrinter } from './vendor-rows.js';

/** Options of `writeDemoFiles`. */
export interface DemoWriteOptions {
  /** 'history': one file per market and year (default); 'daily': one per market and session. */
  layout?: 'history' | 'daily';
  /** First and last date to write (default: the market's whole range). */
  from?: string;
  to?: string;
  /** Write `instruments.csv` (default: with the history layout). */
  instruments?: boolean;
  /** Write `SYNTHETIC-DATA.txt`, which says what the files are (default: with the history layout). */
  readme?: boolean;
}

/** One file written. */
export interface DemoFile {
  /** Absolute path. */
  path: string;
  /** Dataset it imports into (`lake import --dataset ...`); undefined for the readme. */
  dataset: 'bars_1d' | 'instruments' | 'corporate_actions' | undefined;
  /** Market of a bars file. */
  market: DemoMarketName | undefined;
  /** Data lines (without the header). */
  rows: number;
}

/** What `writeDemoFiles` wrote. */
export interface DemoWriteResult {
  /** Absolute folder. */
  dir: string;
  /** Files in the order written. */
  files: DemoFile[];
  /** Bar lines written (planted duplicates count twice, missing rows not at all). */
  barRows: number;
}

const MARKETS: readonly DemoMarketName[] = ['XNYS', 'XKRX', 'CRYPTO', 'FX'];

/** Writes `text` to `dir/name` through a hidden temporary file and a rename. */
async function writeAtomically(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(temp, text);
  await rename(temp, file);
  return file;
}

function dateOption(market: DemoMarket, option: 'from' | 'to', value: string | undefined): number {
  const text = value ?? market[option];
  const day = parseDay(text);
  if (day === undefined || text < market.from || text > market.to)
    throw new MarketInvalidOptionError(
      `demo ${option}`,
      text,
      `a date 'YYYY-MM-DD' within the market's range ${market.from}..${market.to}`,
    );
  return day;
}

/** Bar lines of one market for days `a..b` (inclusive), by date then instrument, as text. */
function barLines(
  market: DemoMarket,
  printer: VendorRowPrinter,
  name: DemoMarketName,
  a: number,
  b: number,
): { text: string; rows: number } {
  const { bars } = market;
  const members = market.instruments.filter((i) => i.exchange === name).map((i) => i.index);
  // Cursor per instrument: its first row on or after `a`.
  const cursors = members.map((i) => {
    let lo = bars.offsets[i]!;
    let hi = bars.offsets[i + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bars.day[mid]! < a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
  // Lines are joined in small batches: a file's worth of concatenated row strings kept alive at
  // once costs the garbage collector more than building them.
  const chunks: string[] = [];
  const batch: string[] = [];
  let rows = 0;
  for (let d = a; d <= b; d++) {
    for (const [k, i] of members.entries()) {
      const r = cursors[k]!;
      if (r < bars.offsets[i + 1]! && bars.day[r] === d) {
        rows += printer.lines(r, batch);
        cursors[k] = r + 1;
      }
    }
    if (batch.length >= 512) {
      chunks.push(batch.join('\n') + '\n');
      batch.length = 0;
    }
  }
  if (batch.length > 0) chunks.push(batch.join('\n') + '\n');
  return { text: chunks.join(''), rows };
}

function instrumentsCsv(market: DemoMarket): { text: string; rows: number } {
  const lines = [
    'symbol,exchange,name,type,currency,isin,local_code,sector,listed_date,delisted_date',
    ...market.instruments.map(
      (i) =>
        `${i.symbol},${i.exchange},${i.name},${i.type},${i.currency},,${i.localCode ?? ''},` +
        `${i.sector},${i.listedDate},`,
    ),
  ];
  return { text: lines.join('\n') + '\n', rows: market.instruments.length };
}

function actionsCsv(actions: readonly DemoCorporateAction[]): string {
  const lines = [
    'symbol,ex_date,type,value,currency,new_symbol,announced_date,source',
    ...actions.map(
      (a) =>
        `${a.symbol},${a.exDate},${a.type},${a.value},${a.currency},,${a.announcedDate},${DEMO_SOURCE}`,
    ),
  ];
  return lines.join('\n') + '\n';
}

/** The readme written beside the history files. */
export function demoReadme(market: DemoMarket): string {
  return [
    'SYNTHETIC DATA - NOT REAL MARKET PRICES',
    '',
    `These files were generated by \`marketlake demo\` (seed ${market.seed}, ${market.from} to ${market.to}).`,
    'Every instrument, price, volume, split and dividend in them is made up: symbols start with SYN,',
    'KRX codes with 99, Korean names with 합성 ("synthetic"), names end in "(synthetic)" and every',
    `row's source is "${DEMO_SOURCE}". Some rows carry deliberate errors for the quality checks:`,
    '',
    ...market.plantedErrors.map((e) => `  - ${e.kind}: ${e.description}`),
    '',
  ].join('\n');
}

/**
 * Writes the market's vendor files into `dir` (created if needed): bars per market (US end of
 * day, KRX daily, crypto, FX), corporate actions by announcement date, and in the history
 * layout the instruments and a readme. Same market and options, byte-identical files.
 */
export async function writeDemoFiles(
  market: DemoMarket,
  dir: string,
  options: DemoWriteOptions = {},
): Promise<DemoWriteResult> {
  const layout = options.layout ?? 'history';
  if (layout !== 'history' && layout !== 'daily')
    throw new MarketInvalidOptionError('demo layout', layout, "'history' or 'daily'");
  const a = dateOption(market, 'from', options.from);
  const b = dateOption(market, 'to', options.to);
  if (a > b)
    throw new MarketInvalidOptionError(
      'demo from/to',
      `${formatDay(a)}..${formatDay(b)}`,
      'from <= to',
    );
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const files: DemoFile[] = [];
  let barRows = 0;
  const put = async (name: string, text: string, file: Omit<DemoFile, 'path'>): Promise<void> => {
    files.push({ path: await writeAtomically(root, name, text), ...file });
  };
  if (options.readme ?? layout === 'history')
    await put('SYNTHETIC-DATA.txt', demoReadme(market), {
      dataset: undefined,
      market: undefined,
      rows: 0,
    });
  if (options.instruments ?? layout === 'history') {
    const { text, rows } = instrumentsCsv(market);
    await put('instruments.csv', text, { dataset: 'instruments', market: undefined, rows });
  }
  const printer = new VendorRowPrinter(market);
  // Windows: whole years (history) or single days (daily), clipped to a..b.
  const windows: [number, number, string][] = [];
  for (let d = a; d <= b;) {
    const text = formatDay(d);
    const end =
      layout === 'daily'
        ? d
        : Math.min(b, (parseDay(`${Number(text.slice(0, 4)) + 1}-01-01`) ?? d + 1) - 1);
    windows.push([
      d,
      end,
      layout === 'daily' ? text.replaceAll('-', '') : `history-${text.slice(0, 4)}`,
    ]);
    d = end + 1;
  }
  for (const [from, to, label] of windows) {
    for (const name of MARKETS) {
      const lines = barLines(market, printer, name, from, to);
      if (lines.rows === 0) continue;
      const format = VENDOR_FORMATS[name];
      barRows += lines.rows;
      await put(`${format.prefix}-${label}.csv`, `${format.header}\n${lines.text}`, {
        dataset: 'bars_1d',
        market: name,
        rows: lines.rows,
      });
    }
    const announced = market.corporateActions.filter((c) => {
      const day = parseDay(c.announcedDate) ?? 0;
      return day >= from && day <= to;
    });
    if (announced.length > 0) {
      const byAnnouncement = [...announced].sort(
        (x, y) =>
          x.announcedDate.localeCompare(y.announcedDate) ||
          x.exDate.localeCompare(y.exDate) ||
          x.symbol.localeCompare(y.symbol),
      );
      await put(`corporate-actions-${label}.csv`, actionsCsv(byAnnouncement), {
        dataset: 'corporate_actions',
        market: undefined,
        rows: announced.length,
      });
    }
  }
  return { dir: root, files, barRows };
}
