/** Price adjustments: point-in-time factors from corporate actions, adjusted reads, declared imports. */
export { adjustments, type Adjustment, type AppliedAction } from './adjustment-factors.js';
export {
  importBarsWithActions,
  pricesIncludeValues,
  type BarsFileField,
  type BarsWithActionsOptions,
  type BarsWithActionsResult,
  type PricesInclude,
} from './declared-import.js';
export { toBarColumns, type BarColumns } from './bar-columns.js';
export { listActions, type CorporateAction } from './list-actions.js';
export { readBars, type AdjustedBar, type BarsResult, type ReadBarsOptions } from './read-bars.js';
