/** A value in a read filter: equality, or an inclusive range. */
export type ReadFilter =
  string | number | boolean | { from?: string | number; to?: string | number };

/** Options of `read`. */
export interface ReadOptions {
  /** Version to read (time travel); default the head. */
  version?: number;
  /** Columns to return; default all. */
  columns?: string[];
  /** Column -> value or range. */
  where?: Record<string, ReadFilter>;
  /** Default: the primary key. */
  orderBy?: string[];
  limit?: number;
}
