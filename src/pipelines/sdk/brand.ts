/**
 * The brand every definition object carries, so the project loader can tell a definition from
 * any other export.
 *
 * `Symbol.for` (the global registry) rather than a module-local Symbol: a project's pipeline files
 * may be evaluated against a second copy of the SDK module (jiti compiles `marketlake` on the fly),
 * and a definition made by either copy must still be recognized.
 */

/** Symbol key under which a definition stores its kind. */
export const DEFINITION = Symbol.for('marketlake.definition');

/** Kinds of definitions the SDK creates. */
export type DefinitionKind = 'asset' | 'schedule' | 'sensor' | 'partitions';

/** Shape shared by every definition: a readable `kind` plus the brand. */
export interface Branded<K extends DefinitionKind> {
  /** What the definition is; also readable by people inspecting an object. */
  readonly kind: K;
  /** The brand; equals `kind`. */
  readonly [DEFINITION]: K;
}

/** Where a definition was written: the file and line of the `asset()`/`schedule()` call. */
export interface SourceLocation {
  /** Absolute path of the file. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
}

/** True when `value` is a definition of `kind` (made by any copy of the SDK). */
export function isDefinition<K extends DefinitionKind>(
  value: unknown,
  kind: K,
): value is Branded<K> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<Record<typeof DEFINITION, unknown>>)[DEFINITION] === kind
  );
}

/** Kind of a branded definition, or undefined for anything else. */
export function definitionKindOf(value: unknown): DefinitionKind | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
    return undefined;
  const kind = (value as Partial<Record<typeof DEFINITION, unknown>>)[DEFINITION];
  return kind === 'asset' || kind === 'schedule' || kind === 'sensor' || kind === 'partitions'
    ? kind
    : undefined;
}
