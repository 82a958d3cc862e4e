/**
 * Daily price limits (maximum one-day move from the previous close) by exchange and period.
 * KRX widened its limit from +-15% to +-30% on 2015-06-15; the +-15% band applied from
 * 1998-12-07. Exchanges without a daily limit (XNYS, XNAS: US stocks use intraday
 * limit-up/limit-down pauses instead) have no entry. Leveraged products may be allowed a wider
 * band than the stock limit, so a failure on one is a warning to look at, not a proof.
 */
export interface PriceLimit {
  calendar: string;
  from: string;
  to: string;
  /** Fraction: 0.3 is +-30%. */
  limit: number;
}

/** The limits marketlake knows. */
export const priceLimits: readonly PriceLimit[] = [
  { calendar: 'XKRX', from: '1998-12-07', to: '2015-06-14', limit: 0.15 },
  { calendar: 'XKRX', from: '2015-06-15', to: '9999-12-31', limit: 0.3 },
];

/** A `_limits(cal, from_d, to_d, lim)` relation. */
export function limitsSql(): string {
  const rows = priceLimits.map(
    (l) => `('${l.calendar}', DATE '${l.from}', DATE '${l.to}', CAST(${l.limit} AS DOUBLE))`,
  );
  return `SELECT * FROM (VALUES ${rows.join(', ')}) AS t(cal, from_d, to_d, lim)`;
}
