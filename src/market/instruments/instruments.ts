import type { Lake } from '../../lake/index.js';
import { literal, optText } from '../sql.js';
import { listSymbolChanges, type SymbolChange } from './symbol-history.js';

/** Instrument types of the instruments master. */
export const instrumentTypes = [
  'stock',
  'etf',
  'etn',
  'index',
  'fx',
  'crypto',
  'rate',
  'macro',
] as const;

/** One of `instrumentTypes`. */
export type InstrumentType = (typeof instrumentTypes)[number];

/** A row of the instruments master, with the symbol changes that concern it. */
export interface Instrument {
  symbol: string;
  /** ISO 10383 MIC. */
  exchange: string;
  name?: string;
  type?: string;
  currency?: string;
  isin?: string;
  /** Exchange short code (KRX 005930). */
  localCode?: string;
  sector?: string;
  listedDate?: string;
  delistedDate?: string;
  /** Renamings into or out of this symbol, oldest first. */
  symbolChanges: SymbolChange[];
}

/** Filters of `listInstruments`. */
export interface InstrumentQuery {
  exchange?: string;
  type?: string;
  symbol?: string;
}

/** Instruments of the master, filtered by exchange (MIC), type or symbol, ordered by exchange and symbol. */
export async function listInstruments(
  lake: Lake,
  query: InstrumentQuery = {},
): Promise<Instrument[]> {
  const where: string[] = [];
  if (query.exchange !== undefined)
    where.push(`exchange = ${literal(query.exchange.toUpperCase())}`);
  if (query.type !== undefined) where.push(`type = ${literal(query.type)}`);
  if (query.symbol !== undefined) where.push(`symbol = ${literal(query.symbol)}`);
  const { rows } = await lake.query(
    `SELECT symbol, exchange, name, type, currency, isin, local_code, sector,
            CAST(listed_date AS VARCHAR) AS listed_date, CAST(delisted_date AS VARCHAR) AS delisted_date
     FROM instruments${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY exchange, symbol`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  const changes = rows.length === 0 ? [] : await listSymbolChanges(lake);
  return rows.map((r) => {
    const symbol = String(r['symbol']);
    const out: Instrument = {
      symbol,
      exchange: String(r['exchange']),
      symbolChanges: changes.filter((c) => c.from === symbol || c.to === symbol),
    };
    const optional: [keyof Instrument, string][] = [
      ['name', 'name'],
      ['type', 'type'],
      ['currency', 'currency'],
      ['isin', 'isin'],
      ['localCode', 'local_code'],
      ['sector', 'sector'],
      ['listedDate', 'listed_date'],
      ['delistedDate', 'delisted_date'],
    ];
    for (const [key, column] of optional) {
      const v = optText(r[column]);
      if (v !== undefined) (out as unknown as Record<string, unknown>)[key] = v;
    }
    return out;
  });
}
