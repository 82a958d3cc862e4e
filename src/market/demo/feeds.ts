/**
 * The demo's feeds as a project wires them: which inbox files belong to which dataset, and a
 * file-drop vendor mapping for each (the files need no column mapping: their headers carry the
 * dataset's column names; only the KRX feed writes dates as YYYYMMDD).
 */
import type { DemoMarketName } from './types.js';
import { VENDOR_FORMATS } from './vendor-rows.js';

/** One feed of the demo: a family of files in the inbox. */
export interface DemoFeed {
  /** Glob of its file names in the inbox (history files and daily drops alike). */
  readonly pattern: string;
  /** Dataset its files import into. */
  readonly dataset: 'bars_1d' | 'instruments' | 'corporate_actions';
  /** Market of a bars feed. */
  readonly market: DemoMarketName | undefined;
  /** A vendor mapping (the connectors' `vendors/<vendor>.json` shape) describing the files. */
  readonly mapping: {
    readonly vendor: string;
    readonly description: string;
    readonly dataset: string;
    readonly dateFormat?: string;
  };
}

const bars = (market: DemoMarketName, what: string): DemoFeed => {
  const format = VENDOR_FORMATS[market];
  return {
    pattern: `${format.prefix}-*.csv`,
    dataset: 'bars_1d',
    market,
    mapping: {
      vendor: `synthetic-${format.prefix}`,
      description: `SYNTHETIC demo data: ${what} daily bars (${format.header}).`,
      dataset: 'bars_1d',
      ...(format.dates === 'compact' ? { dateFormat: '%Y%m%d' } : {}),
    },
  };
};

/** Every feed `writeDemoFiles` and the drip produce, in the order a first import should take. */
export const DEMO_FEEDS: readonly DemoFeed[] = [
  {
    pattern: 'instruments.csv',
    dataset: 'instruments',
    market: undefined,
    mapping: {
      vendor: 'synthetic-instruments',
      description: 'SYNTHETIC demo data: the instruments master (Korean names for XKRX).',
      dataset: 'instruments',
    },
  },
  {
    pattern: 'corporate-actions-*.csv',
    dataset: 'corporate_actions',
    market: undefined,
    mapping: {
      vendor: 'synthetic-corporate-actions',
      description: 'SYNTHETIC demo data: splits and cash dividends, by announcement date.',
      dataset: 'corporate_actions',
    },
  },
  bars('XNYS', 'US end-of-day (XNYS)'),
  bars('XKRX', 'KRX (Korean vendor style: YYYYMMDD dates, 6-digit codes, Korean names)'),
  bars('CRYPTO', 'crypto (SYNBTC-USD, every calendar day, UTC)'),
  bars('FX', 'FX (USDKRW, tick volume)'),
];
