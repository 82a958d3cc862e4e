/** Binance's request weight budget per minute per IP. */
const WEIGHT_LIMIT = 6000;

/** Pause asked by `X-MBX-USED-WEIGHT-1M` within 10% of the per-minute weight budget. */
export function binanceQuota(headers: Headers): { waitMs: number; reason: string } | undefined {
  const used = Number(headers.get('x-mbx-used-weight-1m'));
  if (!Number.isFinite(used) || used < WEIGHT_LIMIT * 0.9) return undefined;
  // The weight window resets at the top of each minute.
  return {
    waitMs: 60_000 - (Date.now() % 60_000),
    reason: `X-MBX-USED-WEIGHT-1M ${used} of ${WEIGHT_LIMIT}`,
  };
}

/** What the daily and one-minute Binance connectors share: endpoint, terms, pacing, weight header. */
export const binanceSource = {
  baseUrl: 'https://api.binance.com',
  homepage: 'https://developers.binance.com/docs/binance-spot-api-docs',
  terms:
    'Public market data under the Binance Terms of Use and API terms; not available from some jurisdictions (use api.binance.us or a permitted mirror via baseUrl); no redistribution as a competing data service.',
  unit: 'symbol' as const,
  calendar: 'CRYPTO' as const,
  rateLimit: {
    minIntervalMs: 100,
    note: '6000 request weight per minute per IP (klines weigh 2); 429 with Retry-After when exceeded, 418 (IP ban) when 429s are ignored. X-MBX-USED-WEIGHT-1M is watched.',
  },
  storedSymbol: (symbol: string): string => symbol.toUpperCase(),
  quota: binanceQuota,
};
