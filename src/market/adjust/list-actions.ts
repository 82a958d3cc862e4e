import type { Lake } from '../../lake/index.js';
import { listSymbolChanges, resolveSegments } from '../instruments/symbol-history.js';
import { dateOption, symbolOption } from '../options.js';
import { dateLiteral, literal, num, optText } from '../sql.js';

/** A corporate action as stored. */
export interface CorporateAction {
  symbol: string;
  exDate: string;
  type: 'split' | 'cash_dividend' | 'stock_dividend' | 'symbol_change';
  value?: number;
  currency?: string;
  newSymbol?: string;
  announcedDate?: string;
  source?: string;
}

/**
 * The corporate actions of `symbol`, oldest first, including those recorded under its earlier
 * symbols (and the changes themselves); with `asOf`, only those known then.
 */
export async function listActions(
  lake: Lake,
  symbol: string,
  options: { asOf?: string } = {},
): Promise<CorporateAction[]> {
  const name = symbolOption('symbol', symbol);
  const asOf = dateOption(options.asOf);
  const changes = await listSymbolChanges(lake, asOf === undefined ? {} : { asOf });
  const { segments } = resolveSegments(name, changes);
  const inSegments = segments
    .map(
      (g) =>
        `(symbol = ${literal(g.symbol)}${g.from ? ` AND ex_date >= ${dateLiteral(g.from)}` : ''}${g.to ? ` AND (ex_date < ${dateLiteral(g.to)} OR type = 'symbol_change')` : ''})`,
    )
    .join(' OR ');
  const known =
    asOf === undefined ? '' : ` AND COALESCE(announced_date, ex_date) <= ${dateLiteral(asOf)}`;
  const { rows } = await lake.query(
    `SELECT symbol, CAST(ex_date AS VARCHAR) AS ex_date, type, value, currency, new_symbol,
       CAST(announced_date AS VARCHAR) AS announced_date, source
     FROM corporate_actions WHERE (${inSegments})${known} ORDER BY ex_date, type`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  return rows.map((r) => {
    const action: CorporateAction = {
      symbol: String(r['symbol']),
      exDate: String(r['ex_date']),
      type: String(r['type']) as CorporateAction['type'],
    };
    if (r['value'] !== null) action.value = num(r['value']);
    const optional = {
      currency: optText(r['currency']),
      newSymbol: optText(r['new_symbol']),
      announcedDate: optText(r['announced_date']),
      source: optText(r['source']),
    };
    for (const [k, v] of Object.entries(optional))
      if (v !== undefined) (action as unknown as Record<string, unknown>)[k] = v;
    return action;
  });
}
