import { z } from 'zod';
import { ConnectorHttpError, ConnectorInvalidOptionsError } from '../../errors.js';
import { expectShape } from '../../http/payload.js';
import { defineConnector } from '../../sdk/define-connector.js';
import { compactDate } from '../../sdk/dates.js';
import type { BarRow, InstrumentRow } from '../../sdk/rows.js';

const rowSchema = z.looseObject({
  BAS_DD: z.string(),
  ISU_CD: z.string(),
  ISU_NM: z.string(),
  MKT_NM: z.string().optional(),
  TDD_CLSPRC: z.string(),
  TDD_OPNPRC: z.string(),
  TDD_HGPRC: z.string(),
  TDD_LWPRC: z.string(),
  ACC_TRDVOL: z.string(),
  ACC_TRDVAL: z.string().optional(),
});
const bodySchema = z.looseObject({ OutBlock_1: z.array(rowSchema) });

/** One market's daily trading data for one date. */
export interface KrxPayload {
  market: KrxMarket;
  rows: z.infer<typeof rowSchema>[];
}

/** KRX boards the Open API serves daily trading data for. */
export type KrxMarket = 'kospi' | 'kosdaq' | 'konex';

const ENDPOINT: Record<KrxMarket, { path: string; mic: string }> = {
  kospi: { path: 'stk_bydd_trd', mic: 'XKRX' },
  kosdaq: { path: 'ksq_bydd_trd', mic: 'XKOS' },
  konex: { path: 'knx_bydd_trd', mic: 'XKNX' },
};

/** A KRX number: '1,234' or '1234'; '-' and '' mean none. */
export function krNumber(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const t = text.replaceAll(',', '').trim();
  return t === '' || t === '-' ? Number.NaN : Number(t);
}

function marketsOf(options: Readonly<Record<string, unknown>>): KrxMarket[] {
  const given = options['markets'] ?? ['kospi', 'kosdaq'];
  if (
    !Array.isArray(given) ||
    given.length === 0 ||
    !given.every((m) => typeof m === 'string' && m in ENDPOINT)
  )
    throw new ConnectorInvalidOptionsError(
      `krx: options.markets must list kospi, kosdaq and/or konex (got ${JSON.stringify(given)}).`,
      { details: { field: 'markets' } },
    );
  return given as KrxMarket[];
}

/** KRX Open API daily trading data (`/svc/apis/sto/stk_bydd_trd?basDd=`), all stocks per date. */
export const krx = defineConnector<KrxPayload>({
  name: 'krx',
  title: 'KRX Open API (daily trading)',
  description:
    'Daily OHLCV and traded value of every KOSPI/KOSDAQ(/KONEX) stock per session date; symbols are 6-digit short codes (005930). Also fills instruments (name, board).',
  baseUrl: 'https://data-dbg.krx.co.kr',
  homepage: 'https://openapi.krx.co.kr',
  terms:
    'KRX Open API terms: an approved AUTH_KEY per user and per API service, non-commercial use unless licensed by KRX, no redistribution; attribute KRX as the source.',
  key: {
    secret: 'krx.auth_key',
    required: true,
    howToGet:
      'Apply at https://openapi.krx.co.kr and have each API service (e.g. 유가증권 일별매매정보) approved for your key.',
  },
  writes: ['bars_1d', 'instruments'],
  stateDataset: 'bars_1d',
  unit: 'date',
  calendar: 'XKRX',
  defaultLookbackDays: 10,
  rateLimit: {
    minIntervalMs: 200,
    note: '10,000 calls per day per key; keep to a few requests per second.',
  },
  async fetch(ctx, task) {
    const out: KrxPayload[] = [];
    for (const market of marketsOf(ctx.options)) {
      const url = `${ctx.baseUrl}/svc/apis/sto/${ENDPOINT[market].path}?basDd=${compactDate(task.from)}`;
      const { response, data } = await ctx.http.getJson(url, {
        headers: { AUTH_KEY: ctx.key ?? '' },
      });
      // An unapproved service or bad key can arrive as 200 with a respCode envelope.
      const env = data as { respCode?: string | number; respMsg?: string } | null;
      if (env && typeof env === 'object' && env.respCode !== undefined && !('OutBlock_1' in env))
        throw new ConnectorHttpError(
          `krx: ${response.url} answered ${String(env.respCode)} "${String(env.respMsg)}". Check the krx.auth_key secret and that this API service is approved for it.`,
          { details: { source: 'krx', url: response.url, status: Number(env.respCode) || 401 } },
        );
      out.push({
        market,
        rows: expectShape('krx', response.url, bodySchema, data, 'an OutBlock_1 document')
          .OutBlock_1,
      });
    }
    return out;
  },
  map(payload, task) {
    const mic = ENDPOINT[payload.market].mic;
    const bars: BarRow[] = [];
    const instruments: InstrumentRow[] = [];
    for (const r of payload.rows) {
      instruments.push({
        symbol: r.ISU_CD,
        exchange: mic,
        name: r.ISU_NM,
        type: 'stock',
        currency: 'KRW',
        local_code: r.ISU_CD,
      });
      const volume = krNumber(r.ACC_TRDVOL);
      // A listed stock without trades that day (halted) has zero prices: no bar.
      if (volume === 0 && krNumber(r.TDD_OPNPRC) === 0) continue;
      bars.push({
        symbol: r.ISU_CD,
        date: task.from,
        open: krNumber(r.TDD_OPNPRC),
        high: krNumber(r.TDD_HGPRC),
        low: krNumber(r.TDD_LWPRC),
        close: krNumber(r.TDD_CLSPRC),
        volume,
        turnover: Number.isNaN(krNumber(r.ACC_TRDVAL)) ? null : krNumber(r.ACC_TRDVAL),
      });
    }
    return { bars_1d: bars, instruments };
  },
});
