import type { Lake } from '../../lake/index.js';
import { MarketActionInvalidError } from '../errors.js';
import { literal, optText } from '../sql.js';

/** A renaming recorded as a `symbol_change` corporate action. */
export interface SymbolChange {
  /** Symbol before the change. */
  from: string;
  /** Symbol from `date` on. */
  to: string;
  /** First session under the new symbol (the action's ex_date). */
  date: string;
  announcedDate?: string;
}

/** A stretch of an instrument's history under one symbol: `from` inclusive, `to` exclusive. */
export interface SymbolSegment {
  symbol: string;
  from?: string;
  to?: string;
}

/** An instrument's symbol history as a read of `symbol` sees it. */
export interface ResolvedSymbol {
  symbol: string;
  /** Oldest first; the last segment is `symbol` itself. */
  segments: SymbolSegment[];
  /** The changes that led to `symbol`, oldest first. */
  changes: SymbolChange[];
}

/** Every `symbol_change` action known as of `asOf` (announced_date, or ex_date when absent). */
export async function listSymbolChanges(
  lake: Lake,
  options: { asOf?: string } = {},
): Promise<SymbolChange[]> {
  const known =
    options.asOf === undefined
      ? ''
      : ` AND COALESCE(announced_date, ex_date) <= DATE ${literal(options.asOf)}`;
  const { rows } = await lake.query(
    `SELECT symbol, new_symbol, CAST(ex_date AS VARCHAR) AS ex_date, CAST(announced_date AS VARCHAR) AS announced_date
     FROM corporate_actions WHERE type = 'symbol_change' AND new_symbol IS NOT NULL${known}
     ORDER BY ex_date, symbol`,
    { maxRows: Number.MAX_SAFE_INTEGER },
  );
  return rows.map((r) => ({
    from: String(r['symbol']),
    to: String(r['new_symbol']),
    date: String(r['ex_date']),
    announcedDate: optText(r['announced_date']),
  }));
}

/**
 * Follows symbol changes backwards from `symbol`: a read of the new symbol includes the history
 * traded under the old one (before the change date). Chains (A -> B -> C) are followed; a cycle
 * that does not move back in time is refused.
 */
export function resolveSegments(symbol: string, changes: readonly SymbolChange[]): ResolvedSymbol {
  const segments: SymbolSegment[] = [];
  const chain: SymbolChange[] = [];
  let current = symbol;
  let upper: string | undefined;
  for (;;) {
    const before = changes
      .filter((c) => c.to === current && (upper === undefined || c.date < upper))
      .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0))[0];
    if (before === undefined) {
      segments.unshift({ symbol: current, to: upper });
      break;
    }
    if (chain.length >= 1000) {
      throw new MarketActionInvalidError(
        `The symbol_change actions leading to ${symbol} do not end (over 1000 steps); fix corporate_actions.`,
        { details: { symbol } },
      );
    }
    segments.unshift({ symbol: current, from: before.date, to: upper });
    chain.unshift(before);
    current = before.from;
    upper = before.date;
  }
  return {
    symbol,
    segments: segments.map((s) => ({
      symbol: s.symbol,
      ...(s.from === undefined ? {} : { from: s.from }),
      ...(s.to === undefined ? {} : { to: s.to }),
    })),
    changes: chain,
  };
}

/** The symbol history of `symbol` from the lake's corporate actions, as known at `asOf`. */
export async function resolveSymbol(
  lake: Lake,
  symbol: string,
  options: { asOf?: string } = {},
): Promise<ResolvedSymbol> {
  return resolveSegments(symbol, await listSymbolChanges(lake, options));
}
