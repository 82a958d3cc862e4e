/** The instruments master and symbol histories. */
export {
  instrumentTypes,
  listInstruments,
  type Instrument,
  type InstrumentQuery,
  type InstrumentType,
} from './instruments.js';
export {
  listSymbolChanges,
  resolveSegments,
  resolveSymbol,
  type ResolvedSymbol,
  type SymbolChange,
  type SymbolSegment,
} from './symbol-history.js';
