/**
 * Captured output of attempts, kept bounded: the first `logCapBytes` of an attempt's log and its
 * last `logCapBytes`, with a marker line between them saying what was left out. Lines get
 * increasing sequence numbers, so a follower reads what came after the last line it saw.
 */
import type { Kysely, Insertable } from 'kysely';
import type { AttemptLogsTable, MetaDatabase } from '../../meta/index.js';
import { PipelinesAttemptNotFoundError } from '../errors.js';
import type { TxContext } from './run-context.js';
import { chunks, isoTime } from './run-ids.js';
import { isTerminal } from './run-states.js';

/** Where a line came from. */
export type RunLogStream = 'stdout' | 'stderr' | 'log' | 'system';

/** A line to append. */
export interface RunLogInput {
  line: string;
  /** Default `log` (the task logger). */
  stream?: RunLogStream;
  /** Level of a logger line (info, warn, error, ...). */
  level?: string | null;
  /** Epoch ms the line was written (default the store's clock). */
  ts?: number;
}

/** A stored line. */
export interface RunLogLine {
  readonly seq: number;
  /** ISO-8601 UTC with milliseconds. */
  readonly ts: string;
  /** `marker` for the line standing in for omitted lines. */
  readonly stream: RunLogStream | 'marker';
  readonly level: string | null;
  readonly line: string;
}

/** A page of an attempt's log. */
export interface RunLogPage {
  readonly lines: RunLogLine[];
  /** Sequence number of the last line returned (or `afterSeq`): pass it as the next `afterSeq`. */
  readonly lastSeq: number;
  /** Lines and bytes dropped from the middle of the log so far. */
  readonly omittedLines: number;
  readonly omittedBytes: number;
  /** Whether the attempt has ended, so no more lines will come. */
  readonly finished: boolean;
}

type Row = Insertable<AttemptLogsTable>;

function notFound(attemptId: string): PipelinesAttemptNotFoundError {
  return new PipelinesAttemptNotFoundError(`No attempt ${attemptId}.`, { details: { attemptId } });
}

function cutLine(line: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes <= maxBytes) return line;
  const note = ` … [line cut: ${bytes} bytes]`;
  const kept = Buffer.from(line, 'utf8').subarray(0, Math.max(0, maxBytes - note.length - 4));
  return kept.toString('utf8').replace(/\uFFFD+$/, '') + note;
}

function markerText(lines: number, bytes: number, capBytes: number): string {
  const kib = Math.round(capBytes / 1024);
  return `… ${lines} line(s), ${bytes} bytes omitted: the log keeps its first and its last ${kib} KiB …`;
}

/** Deletes the oldest stored tail lines until at least `excess` bytes are gone. */
async function trimStoredTail(
  ctx: TxContext,
  attemptId: string,
  marker: number,
  excess: number,
): Promise<{ lines: number; bytes: number }> {
  let lines = 0;
  let bytes = 0;
  let after = marker;
  while (bytes < excess) {
    const rows = await ctx.trx
      .selectFrom('attempt_logs')
      .select(['seq', 'bytes'])
      .where('attempt_id', '=', attemptId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      if (bytes >= excess) break;
      bytes += r.bytes;
      lines += 1;
      after = r.seq;
    }
  }
  if (lines > 0) {
    await ctx.trx
      .deleteFrom('attempt_logs')
      .where('attempt_id', '=', attemptId)
      .where('seq', '>', marker)
      .where('seq', '<=', after)
      .execute();
  }
  return { lines, bytes };
}

/** Appends `lines` to the log of `attemptId`; returns the last sequence number used. */
export async function appendLogs(
  ctx: TxContext,
  attemptId: string,
  lines: readonly RunLogInput[],
): Promise<number> {
  const state = await ctx.trx
    .selectFrom('attempts')
    .select([
      'log_next_seq',
      'log_head_bytes',
      'log_tail_bytes',
      'log_marker_seq',
      'log_omitted_lines',
      'log_omitted_bytes',
    ])
    .where('id', '=', attemptId)
    .$if(ctx.dialect === 'postgres', (qb) => qb.forNoKeyUpdate())
    .executeTakeFirst();
  if (!state) throw notFound(attemptId);
  const cap = ctx.config.logCapBytes;
  let seq = state.log_next_seq;
  let head = Number(state.log_head_bytes);
  let tail = Number(state.log_tail_bytes);
  let marker = state.log_marker_seq;
  let omittedLines = Number(state.log_omitted_lines);
  let omittedBytes = Number(state.log_omitted_bytes);
  const markerIsNew = marker === null;
  const headRows: Row[] = [];
  const tailRows: Row[] = [];
  for (const input of lines) {
    const line = cutLine(String(input.line), ctx.config.maxLineBytes);
    const bytes = Buffer.byteLength(line, 'utf8');
    const base = {
      attempt_id: attemptId,
      ts: isoTime(input.ts ?? ctx.now),
      stream: input.stream ?? 'log',
      level: input.level ?? null,
      line,
      bytes,
    };
    if (marker === null && head + bytes <= cap) {
      headRows.push({ ...base, seq: seq++ });
      head += bytes;
      continue;
    }
    // Once the head is full every later line goes to the tail, so the kept log stays in order.
    if (marker === null) marker = seq++;
    tailRows.push({ ...base, seq: seq++ });
    tail += bytes;
  }
  let excess = tail - cap;
  const pendingBytes = tailRows.reduce((n, r) => n + r.bytes, 0);
  const stored = tail - pendingBytes;
  if (excess > 0 && stored > 0 && marker !== null) {
    const trimmed = await trimStoredTail(ctx, attemptId, marker, Math.min(excess, stored));
    omittedLines += trimmed.lines;
    omittedBytes += trimmed.bytes;
    tail -= trimmed.bytes;
    excess -= trimmed.bytes;
  }
  while (excess > 0 && tailRows.length > 0) {
    const dropped = tailRows.shift() as Row;
    omittedLines += 1;
    omittedBytes += dropped.bytes;
    tail -= dropped.bytes;
    excess -= dropped.bytes;
  }
  const rows = [...headRows, ...tailRows];
  for (const batch of chunks(rows, 1000))
    await ctx.trx.insertInto('attempt_logs').values(batch).execute();
  if (marker !== null) {
    const text = markerText(omittedLines, omittedBytes, cap);
    if (markerIsNew) {
      await ctx.trx
        .insertInto('attempt_logs')
        .values({
          attempt_id: attemptId,
          seq: marker,
          ts: isoTime(ctx.now),
          stream: 'marker',
          level: null,
          line: text,
          bytes: 0,
        })
        .execute();
    } else if (omittedLines !== Number(state.log_omitted_lines)) {
      await ctx.trx
        .updateTable('attempt_logs')
        .set({ line: text })
        .where('attempt_id', '=', attemptId)
        .where('seq', '=', marker)
        .execute();
    }
  }
  await ctx.trx
    .updateTable('attempts')
    .set({
      log_next_seq: seq,
      log_head_bytes: head,
      log_tail_bytes: tail,
      log_marker_seq: marker,
      log_omitted_lines: omittedLines,
      log_omitted_bytes: omittedBytes,
    })
    .where('id', '=', attemptId)
    .execute();
  return seq - 1;
}

/** Lines of `attemptId` after sequence number `afterSeq`, oldest first. */
export async function readLogs(
  db: Kysely<MetaDatabase>,
  attemptId: string,
  options: { afterSeq?: number; limit?: number },
): Promise<RunLogPage> {
  const attempt = await db
    .selectFrom('attempts')
    .select(['state', 'log_omitted_lines', 'log_omitted_bytes'])
    .where('id', '=', attemptId)
    .executeTakeFirst();
  if (!attempt) throw notFound(attemptId);
  const afterSeq = options.afterSeq ?? 0;
  const rows = await db
    .selectFrom('attempt_logs')
    .select(['seq', 'ts', 'stream', 'level', 'line'])
    .where('attempt_id', '=', attemptId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(Math.min(Math.max(Math.trunc(options.limit ?? 1000), 1), 10_000))
    .execute();
  return {
    lines: rows.map((r) => ({
      seq: r.seq,
      ts: r.ts,
      stream: r.stream as RunLogStream | 'marker',
      level: r.level,
      line: r.line,
    })),
    lastSeq: rows[rows.length - 1]?.seq ?? afterSeq,
    omittedLines: Number(attempt.log_omitted_lines),
    omittedBytes: Number(attempt.log_omitted_bytes),
    finished: isTerminal('attempt', attempt.state),
  };
}
