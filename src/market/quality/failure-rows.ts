import { num, optText } from '../sql.js';
import type { CheckFailure, CheckName, Severity } from './types.js';

/** A failing key from a row of check_failures (or of the failures query). */
export function failureFromRow(r: Record<string, unknown>): CheckFailure {
  const f: CheckFailure = {
    check: String(r['check']) as CheckName,
    severity: String(r['severity']) as Severity,
    key: String(r['key']),
    symbol: optText(r['symbol']) ?? '',
    message: optText(r['message']) ?? '',
  };
  const date = optText(r['date']);
  const ts = optText(r['ts']);
  if (date !== undefined) f.date = date;
  if (ts !== undefined) f.ts = ts;
  if (r['value'] !== null && r['value'] !== undefined) f.value = num(r['value']);
  return f;
}
