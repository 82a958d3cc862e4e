/** Pause asked by `Remaining-Req: group=candles; min=599; sec=0` (no request left this second). */
export function upbitQuota(headers: Headers): { waitMs: number; reason: string } | undefined {
  const header = headers.get('remaining-req');
  const sec = header ? /sec=(\d+)/.exec(header)?.[1] : undefined;
  if (sec === undefined || Number(sec) > 0) return undefined;
  return { waitMs: 1000 - (Date.now() % 1000), reason: `Remaining-Req ${header}` };
}

/** What the daily and one-minute Upbit connectors share: endpoint, terms, pacing, quota header. */
export const upbitSource = {
  baseUrl: 'https://api.upbit.com',
  homepage: 'https://global-docs.upbit.com',
  terms:
    'Upbit Open API quotation data under the Upbit Open API terms: personal use, attribution, no resale or redistribution of the data as a service.',
  unit: 'symbol' as const,
  calendar: 'CRYPTO' as const,
  rateLimit: {
    minIntervalMs: 120,
    note: 'Quotation API: 10 requests/s per IP (group candles); Remaining-Req tells what is left, 429 when exceeded.',
  },
  storedSymbol: (symbol: string): string => symbol.toUpperCase(),
  quota: upbitQuota,
};
