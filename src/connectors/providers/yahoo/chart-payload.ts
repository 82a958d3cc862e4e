import { z } from 'zod';
import { expectShape } from '../../http/payload.js';
import { ConnectorHttpError } from '../../errors.js';
import { localDate } from '../../sdk/dates.js';
import type { CorporateActionRow, InstrumentRow } from '../../sdk/rows.js';
import type { AdjustmentEvent } from '../../sdk/unadjust.js';

const nums = z.array(z.number().nullable());

const resultSchema = z.looseObject({
  meta: z.looseObject({
    symbol: z.string(),
    currency: z.string().nullable().optional(),
    exchangeName: z.string().optional(),
    instrumentType: z.string().optional(),
    longName: z.string().optional(),
    shortName: z.string().optional(),
    exchangeTimezoneName: z.string().optional(),
    gmtoffset: z.number().optional(),
    currentTradingPeriod: z
      .looseObject({ regular: z.looseObject({ start: z.number(), end: z.number() }) })
      .optional(),
  }),
  timestamp: z.array(z.number()).optional(),
  events: z
    .looseObject({
      dividends: z
        .record(z.string(), z.looseObject({ amount: z.number(), date: z.number() }))
        .optional(),
      splits: z
        .record(
          z.string(),
          z.looseObject({ date: z.number(), numerator: z.number(), denominator: z.number() }),
        )
        .optional(),
    })
    .optional(),
  indicators: z.looseObject({
    quote: z.array(z.looseObject({ open: nums, high: nums, low: nums, close: nums, volume: nums })),
  }),
});

const chartSchema = z.looseObject({
  chart: z.looseObject({
    result: z.array(resultSchema).nullable(),
    error: z.looseObject({ code: z.string(), description: z.string() }).nullable(),
  }),
});

/** One symbol's chart: meta, timestamps, quote columns and events. */
export type ChartResult = z.infer<typeof resultSchema>;

/** Validates a v8 chart payload and returns its single result (an error envelope throws). */
export function chartResult(source: string, url: string, data: unknown): ChartResult {
  const chart = expectShape(source, url, chartSchema, data, 'a Yahoo chart document').chart;
  if (chart.error) {
    throw new ConnectorHttpError(
      `${source}: ${url} answered "${chart.error.code}: ${chart.error.description}". Check the symbol (Yahoo form, e.g. AAPL, 005930.KS, EURUSD=X).`,
      { details: { source, url, error: chart.error } },
    );
  }
  const result = chart.result?.[0];
  if (!result) {
    throw new ConnectorHttpError(`${source}: ${url} returned no chart result. Check the symbol.`, {
      details: { source, url },
    });
  }
  return result;
}

/** The exchange's IANA zone (session dates are local dates there). */
export function zoneOf(result: ChartResult): string {
  return result.meta.exchangeTimezoneName ?? 'UTC';
}

const MIC: Record<string, string> = {
  NMS: 'XNAS',
  NGM: 'XNAS',
  NCM: 'XNAS',
  NAS: 'XNAS',
  NYQ: 'XNYS',
  ASE: 'XASE',
  PCX: 'ARCX',
  BTS: 'BATS',
  KSC: 'XKRX',
  KOE: 'XKOS',
  JPX: 'XTKS',
  LSE: 'XLON',
  GER: 'XETR',
  HKG: 'XHKG',
  CCY: 'FX',
  CCC: 'CRYPTO',
};

const TYPES: Record<string, string> = {
  EQUITY: 'stock',
  ETF: 'etf',
  INDEX: 'index',
  CURRENCY: 'fx',
  CRYPTOCURRENCY: 'crypto',
  MUTUALFUND: 'fund',
};

/** Instruments row from the chart meta, when the exchange maps to a MIC. */
export function instrumentOf(result: ChartResult): InstrumentRow[] {
  const m = result.meta;
  const exchange = m.exchangeName ? MIC[m.exchangeName] : undefined;
  if (!exchange) return [];
  return [
    {
      symbol: m.symbol,
      exchange,
      name: m.longName ?? m.shortName ?? null,
      type: m.instrumentType ? (TYPES[m.instrumentType] ?? m.instrumentType.toLowerCase()) : null,
      currency: m.currency ?? null,
    },
  ];
}

/**
 * Splits and dividends of the chart. Yahoo reports dividends adjusted for later splits; they are
 * turned back into the cash actually paid per share at the time.
 */
export function actionsOf(result: ChartResult): {
  rows: CorporateActionRow[];
  splits: AdjustmentEvent[];
} {
  const zone = zoneOf(result);
  const symbol = result.meta.symbol;
  const splits: AdjustmentEvent[] = Object.values(result.events?.splits ?? {})
    .filter((s) => s.numerator > 0 && s.denominator > 0)
    .map((s) => ({
      exDate: localDate(s.date * 1000, zone),
      kind: 'split' as const,
      value: s.numerator / s.denominator,
    }));
  const rows: CorporateActionRow[] = splits.map((s) => ({
    symbol,
    ex_date: s.exDate,
    type: 'split',
    value: s.value,
  }));
  for (const d of Object.values(result.events?.dividends ?? {})) {
    const exDate = localDate(d.date * 1000, zone);
    const later = splits.filter((s) => s.exDate > exDate).reduce((p, s) => p * s.value, 1);
    rows.push({
      symbol,
      ex_date: exDate,
      type: 'cash_dividend',
      value: Math.round(d.amount * later * 1e6) / 1e6,
      currency: result.meta.currency ?? null,
    });
  }
  return { rows, splits };
}
