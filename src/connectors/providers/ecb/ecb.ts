import { defineConnector } from '../../sdk/define-connector.js';

/** ECB SDMX CSV records of one series request. */
export interface EcbPayload {
  records: Record<string, string>[];
}

const CURRENCY = /^[A-Z]{3}$/;

/** The EXR series key of a requested symbol: `USD` -> `D.USD.EUR.SP00.A`; full keys pass through. */
export function ecbSeriesKey(symbol: string): string {
  const s = symbol.toUpperCase();
  return CURRENCY.test(s) ? `D.${s}.EUR.SP00.A` : s.replace(/^EXR\./, '');
}

/** Stored symbol: `EURUSD` for the daily euro reference rate of USD, else `EXR.<key>`. */
export function ecbStoredSymbol(symbol: string): string {
  const key = ecbSeriesKey(symbol);
  const m = /^D\.([A-Z]{3})\.EUR\.SP00\.A$/.exec(key);
  return m ? `EUR${m[1]}` : `EXR.${key}`;
}

/** ECB euro foreign exchange reference rates (SDMX REST, CSV) into series_1d. */
export const ecb = defineConnector<EcbPayload>({
  name: 'ecb',
  title: 'ECB exchange rates',
  description:
    'Euro foreign exchange reference rates (EXR dataflow), stored as EUR<CCY> = units of CCY per euro; symbols are currency codes (USD) or EXR keys.',
  baseUrl: 'https://data-api.ecb.europa.eu',
  homepage: 'https://data.ecb.europa.eu',
  terms:
    'ECB statistics may be reused free of charge, also commercially, provided the source is acknowledged ("Source: ECB"); reference rates are for information purposes only.',
  writes: ['series_1d'],
  stateDataset: 'series_1d',
  unit: 'symbol',
  defaultLookbackDays: 365 * 30,
  rateLimit: {
    minIntervalMs: 250,
    note: 'No published limit; keep requests sequential and modest.',
  },
  storedSymbol: ecbStoredSymbol,
  async fetch(ctx, task) {
    const params = new URLSearchParams({
      format: 'csvdata',
      startPeriod: task.from,
      endPeriod: task.to,
    });
    const url = `${ctx.baseUrl}/service/data/EXR/${encodeURIComponent(ecbSeriesKey(task.symbol ?? ''))}?${params.toString()}`;
    // The ECB answers 404 "No results found" when the range holds no observation.
    const { response, rows } = await ctx.http.getCsv(url, {
      acceptStatuses: [404],
      required: ['KEY', 'TIME_PERIOD', 'OBS_VALUE'],
    });
    return [{ records: response.status === 404 ? [] : rows }];
  },
  map(payload, task) {
    const symbol = ecbStoredSymbol(task.symbol ?? '');
    return {
      series_1d: payload.records
        .filter((r) => (r['OBS_VALUE'] ?? '') !== '' && r['OBS_VALUE'] !== 'NaN')
        .map((r) => ({ symbol, date: r['TIME_PERIOD'] ?? '', value: Number(r['OBS_VALUE']) })),
    };
  },
});
