/**
 * Public types of the synthetic demo market. Everything here describes made-up data: symbols are
 * prefixed (`SYN...`, KRX codes `99....`, Korean names `합성...`), names end in "(synthetic)" and
 * every bar row carries `source = synthetic-demo`.
 */

/** The markets the demo simulates, named by their calendar (XNYS and XKRX are MICs). */
export type DemoMarketName = 'XNYS' | 'XKRX' | 'CRYPTO' | 'FX';

/** The value of the `source` column of every demo row. */
export const DEMO_SOURCE = 'synthetic-demo';

/** One synthetic instrument. */
export interface DemoInstrument {
  /** Position in `DemoMarket.instruments` (and the value in `DemoBars.instrument`). */
  readonly index: number;
  /** `SYNA`..., a 6-digit KRX code `99xxx0`, `SYNBTC-USD` or `USDKRW`. */
  readonly symbol: string;
  /** Market (calendar) it trades on. */
  readonly exchange: DemoMarketName;
  /** Display name, always ending in "(synthetic)". */
  readonly name: string;
  /** Korean name as a Korean vendor prints it (`합성...`), for XKRX instruments. */
  readonly localName: string | undefined;
  /** Instrument type as the instruments dataset names it. */
  readonly type: 'stock' | 'crypto' | 'fx';
  /** Quote currency. */
  readonly currency: 'USD' | 'KRW';
  /** Exchange short code (KRX 6-digit code). */
  readonly localCode: string | undefined;
  /** Sector (stocks) or asset class. */
  readonly sector: string;
  /** First session with a bar. */
  readonly listedDate: string;
}

/**
 * Daily bars in columns, instrument-major: the rows of instrument `i` are
 * `offsets[i] .. offsets[i + 1] - 1`, ascending by day. Prices are the raw (unadjusted) vendor
 * prices, rounded to the market's tick; these are the clean values, before planted errors.
 */
export interface DemoBars {
  /** Number of rows. */
  readonly length: number;
  /** Instrument index per row. */
  readonly instrument: Uint16Array;
  /** Session date per row as a day number (days since 1970-01-01; core `formatDay` prints it). */
  readonly day: Int32Array;
  /** Opening price. */
  readonly open: Float64Array;
  /** Highest price. */
  readonly high: Float64Array;
  /** Lowest price. */
  readonly low: Float64Array;
  /** Closing price. */
  readonly close: Float64Array;
  /** Shares (crypto: coins; FX: tick count) traded. */
  readonly volume: Float64Array;
  /** Traded value in the quote currency. */
  readonly turnover: Float64Array;
  /** Row ranges per instrument (length = instruments + 1). */
  readonly offsets: Uint32Array;
}

/** A split or cash dividend, as the corporate_actions dataset stores it. */
export interface DemoCorporateAction {
  /** Instrument symbol. */
  readonly symbol: string;
  /** Market of the instrument. */
  readonly exchange: DemoMarketName;
  /** First session that trades without the dividend / on the split basis. */
  readonly exDate: string;
  /** Action type. */
  readonly type: 'split' | 'cash_dividend';
  /** Split ratio (new shares per old share) or dividend per share. */
  readonly value: number;
  /** Currency of a dividend (also set for splits: the instrument's currency). */
  readonly currency: 'USD' | 'KRW';
  /** When the vendor first reports the action (a session before the ex-date). */
  readonly announcedDate: string;
}

/** The kinds of data errors the demo plants in its vendor files. */
export type PlantedErrorKind =
  | 'high_below_low'
  | 'negative_volume'
  | 'blank_close'
  | 'missing_session'
  | 'duplicate_row'
  | 'price_spike'
  | 'stale_price';

/** One data error planted in the vendor files (the in-memory bars stay clean). */
export interface PlantedError {
  /** What is wrong. */
  readonly kind: PlantedErrorKind;
  /** Affected instrument. */
  readonly symbol: string;
  /** Its market (which vendor file carries the error). */
  readonly exchange: 'XNYS' | 'XKRX';
  /** Session date of the bad row (the first one of a stale run). */
  readonly date: string;
  /** Consecutive sessions affected (stale runs: more than one). */
  readonly sessions: number;
  /**
   * What `lake import --dataset bars_1d` does with it: `quarantined` (the import rejects the
   * row(s); for a duplicate both copies), `missing` (no row: the file lacks it) or `present` (the
   * row imports; a quality check must catch it).
   */
  readonly expected: 'quarantined' | 'missing' | 'present';
  /** Text the lake's quarantine reason contains, for quarantined errors. */
  readonly reason: string | undefined;
  /** One-line description for people. */
  readonly description: string;
}

/** A generated synthetic market: instruments, clean bars, corporate actions, planted errors. */
export interface DemoMarket {
  /** Always 'synthetic': nothing in it is real market data. */
  readonly label: 'synthetic';
  /** Seed it was generated from. */
  readonly seed: number;
  /** First calendar date simulated. */
  readonly from: string;
  /** Last calendar date simulated. */
  readonly to: string;
  /** The instruments (stocks on XNYS and XKRX, one crypto pair, one FX rate). */
  readonly instruments: readonly DemoInstrument[];
  /** Daily bars, clean. */
  readonly bars: DemoBars;
  /** Splits and dividends, ascending by ex-date then symbol. */
  readonly corporateActions: readonly DemoCorporateAction[];
  /** The data errors the vendor files carry, ascending by date. */
  readonly plantedErrors: readonly PlantedError[];
}

/** Options of `generateDemoMarket`. */
export interface DemoMarketOptions {
  /** Seed (a non-negative safe integer; default 42). */
  seed?: number;
  /** First calendar date (default '2015-01-01'). */
  from?: string;
  /** Years to simulate (1-35, default 10): the range ends the day before `from` + years. */
  years?: number;
}
