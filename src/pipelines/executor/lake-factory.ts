/**
 * How `ctx.lake` is made inside a worker: the pool names a module and an export (a function can
 * not cross the process boundary), and the worker calls it before each `run` task.
 */
import { importModule } from './pipeline-modules.js';

/** What a lake factory returns: the lake for `ctx.lake` and how to let it go after the attempt. */
export interface LakeLease {
  /** The object `ctx.lake` returns. */
  readonly lake: unknown;
  /** Called after the attempt, whatever its outcome. */
  readonly release?: () => void | Promise<void>;
}

/** What a lake factory receives. */
export interface LakeFactoryInput {
  /** Root of the lake, from the request. */
  readonly lakePath: string | undefined;
  /** Asset being materialized. */
  readonly asset: string;
  /** Partition key. */
  readonly partition: string | undefined;
  /** Run id. */
  readonly runId: string;
  /** Attempt id. */
  readonly attemptId: string;
  /** Attempt number. */
  readonly attempt: number;
}

/**
 * A module's export that builds `ctx.lake` for an attempt. It may keep one lake per worker
 * process and return a lease whose `release` does nothing.
 */
export type LakeFactory = (input: LakeFactoryInput) => LakeLease | Promise<LakeLease>;

/** Where the worker finds the lake factory. */
export interface LakeFactoryRef {
  /** Absolute path of the module (JavaScript, or TypeScript compiled on the fly). */
  readonly module: string;
  /** Name of the export (default `createLake`). */
  readonly export?: string;
}

/** Loads the factory named by `ref`; undefined when there is none. */
export async function loadLakeFactory(
  ref: { readonly module: string; readonly export: string } | undefined,
): Promise<LakeFactory | undefined> {
  if (ref === undefined) return undefined;
  const loaded = await importModule(ref.module);
  const factory = loaded[ref.export];
  if (typeof factory !== 'function')
    throw new TypeError(
      `Lake factory module ${ref.module} has no function export "${ref.export}".`,
    );
  return factory as LakeFactory;
}
