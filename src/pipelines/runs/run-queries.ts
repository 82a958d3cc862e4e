/** Reading runs: pages of runs newest first, one run with its attempts, one attempt. */
import type { Kysely } from 'kysely';
import type { MetaDatabase } from '../../meta/index.js';
import {
  PipelinesAttemptNotFoundError,
  PipelinesRunArgumentInvalidError,
  PipelinesRunNotFoundError,
} from '../errors.js';
import { RUN_KINDS, type RunKind } from './run-plan.js';
import { RUN_STATES, type RunState } from './run-states.js';
import {
  attemptView,
  runSummary,
  type AttemptView,
  type RunSummary,
  type RunView,
} from './run-views.js';

/** Filter and page of `listRuns`. */
export interface RunQuery {
  state?: RunState;
  /** Runs with a task of this asset. */
  asset?: string;
  kind?: RunKind;
  backfillId?: string;
  /** Runs older than this run id (the previous page's `next`). */
  before?: string;
  /** Page size (default 50, at most 1,000). */
  limit?: number;
}

/** A page of runs. */
export interface RunPage {
  readonly runs: RunSummary[];
  /** Pass as `before` for the next page; undefined on the last page. */
  readonly next: string | undefined;
}

/** Runs matching `query`, newest first. */
export async function listRuns(db: Kysely<MetaDatabase>, query: RunQuery): Promise<RunPage> {
  if (query.state !== undefined && !RUN_STATES.includes(query.state)) {
    throw new PipelinesRunArgumentInvalidError(
      `Unknown run state ${JSON.stringify(query.state)}; use one of ${RUN_STATES.join(', ')}.`,
    );
  }
  if (query.kind !== undefined && !RUN_KINDS.includes(query.kind)) {
    throw new PipelinesRunArgumentInvalidError(
      `Unknown run kind ${JSON.stringify(query.kind)}; use one of ${RUN_KINDS.join(', ')}.`,
    );
  }
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 1000);
  const rows = await db
    .selectFrom('runs')
    .selectAll()
    .$if(query.state !== undefined, (qb) => qb.where('state', '=', query.state as string))
    .$if(query.kind !== undefined, (qb) => qb.where('kind', '=', query.kind as string))
    .$if(query.backfillId !== undefined, (qb) =>
      qb.where('backfill_id', '=', query.backfillId as string),
    )
    .$if(query.before !== undefined, (qb) => qb.where('id', '<', query.before as string))
    .$if(query.asset !== undefined, (qb) =>
      qb.where('id', 'in', (eb) =>
        eb
          .selectFrom('run_tasks')
          .select('run_id')
          .where('asset', '=', query.asset as string),
      ),
    )
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const runs = rows.slice(0, limit).map(runSummary);
  return { runs, next: rows.length > limit ? runs[runs.length - 1]?.id : undefined };
}

/** Run `runId` with every attempt (by task, then attempt number). */
export async function getRun(db: Kysely<MetaDatabase>, runId: string): Promise<RunView> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!row) {
    throw PipelinesRunNotFoundError.of(runId);
  }
  const attempts = await db
    .selectFrom('attempts')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('task_index')
    .orderBy('attempt')
    .execute();
  return { ...runSummary(row), attempts: attempts.map(attemptView) };
}

/** Attempt `attemptId`. */
export async function getAttempt(
  db: Kysely<MetaDatabase>,
  attemptId: string,
): Promise<AttemptView & { runId: string }> {
  const row = await db
    .selectFrom('attempts')
    .selectAll()
    .where('id', '=', attemptId)
    .executeTakeFirst();
  if (!row)
    throw new PipelinesAttemptNotFoundError(`No attempt ${attemptId}.`, { details: { attemptId } });
  return { ...attemptView(row), runId: row.run_id };
}
