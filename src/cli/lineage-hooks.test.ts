import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeDir } from '../../test/helpers/temp-dir.js';
import type { Lake } from '../lake/index.js';
import { openMetaStore, type MetaStore } from '../meta/index.js';
import {
  NOOP_LINEAGE,
  type Lineage,
  type LineageAttempt,
  type RunEventType,
} from '../observe/index.js';
import {
  asset,
  type AssetDefinition,
  type AttemptReport,
  type AttemptResult,
  type ClaimedAttempt,
} from '../pipelines/index.js';
import { finalEventType, lineageHooks } from './lineage-hooks.js';

/* The runtime-to-lineage adapter with a recording lineage and a stand-in lake. */

const T = new Date('2024-03-15T12:00:00.000Z');

function claim(attemptId: string, assetName: string): ClaimedAttempt {
  return {
    attemptId,
    runId: 'run_1',
    taskIndex: 0,
    asset: assetName,
    partition: null,
    attempt: 1,
    pool: null,
    priority: 0,
    leaseExpiresAtMs: T.getTime() + 60_000,
    queueSeconds: 0.5,
  };
}

function result(c: ClaimedAttempt, exitReason: AttemptResult['exitReason']): AttemptResult {
  return {
    attemptId: c.attemptId,
    runId: c.runId,
    asset: c.asset,
    partition: undefined,
    attempt: 1,
    exitReason,
    error:
      exitReason === 'OK'
        ? undefined
        : {
            code: 'X',
            name: 'Error',
            message: `${exitReason} happened`,
            stack: 'at y',
            retryable: false,
          },
    exitCode: undefined,
    enqueuedAt: T,
    startedAt: T,
    finishedAt: new Date(T.getTime() + 2000),
    workerPid: 1,
    usage: {
      wallSeconds: 2,
      queueSeconds: 0.5,
      cpuUserSeconds: 1,
      cpuSystemSeconds: 0,
      peakRssBytes: 1e8,
      bytesRead: 0,
      bytesWritten: 0,
      readChars: 0,
      writeChars: 0,
      rowsWritten: 7,
    },
    metadata: {},
  };
}

function report(
  c: ClaimedAttempt,
  state: string,
  exitReason: AttemptResult['exitReason'],
): AttemptReport {
  return {
    claim: c,
    result: result(c, exitReason),
    outcome: { attemptId: c.attemptId, state, taskState: state, runState: state } as never,
  };
}

describe('lineage hooks', () => {
  let dir: string;
  let meta: MetaStore;
  beforeEach(async () => {
    dir = makeTempDir();
    meta = await openMetaStore(`sqlite:${dir}/m.sqlite`);
  });
  afterEach(async () => {
    await meta.close();
    removeDir(dir);
  });

  it('maps attempt outcomes to event types', () => {
    const c = claim('a', 'x');
    expect(finalEventType(report(c, 'succeeded', 'OK'))).toBe('COMPLETE');
    expect(finalEventType(report(c, 'skipped', 'OK'))).toBe('COMPLETE');
    expect(finalEventType(report(c, 'failed', 'ERROR'))).toBe('FAIL');
    expect(finalEventType(report(c, 'lost', 'CRASHED'))).toBe('FAIL');
    expect(finalEventType(report(c, 'canceled', 'KILLED'))).toBe('ABORT');
    expect(finalEventType(report(c, 'failed', 'KILLED'))).toBe('ABORT');
  });

  it('emits START and final events with inputs, output schema, rows and check assertions', async () => {
    const events: { type: RunEventType; attempt: LineageAttempt }[] = [];
    const lineage: Lineage = {
      ...NOOP_LINEAGE,
      enabled: true,
      emit: (type, _time, attempt) => void events.push({ type, attempt }),
    };
    const lake = {
      dataset: (name: string) =>
        name === 'prices'
          ? Promise.resolve({
              columns: [{ name: 'symbol', type: 'VARCHAR', description: 'Ticker' }],
            })
          : Promise.reject(new Error('no such dataset')),
    } as unknown as Lake;
    const defs: AssetDefinition[] = [
      asset({ name: 'prices', run: () => undefined }),
      asset({ name: 'returns', deps: ['prices'], dataset: 'daily_returns', run: () => undefined }),
    ];
    const assets = new Map(defs.map((d) => [d.name, d]));
    const hooks = lineageHooks(lineage, { lake, meta, assets: () => assets })!;
    expect(lineageHooks(NOOP_LINEAGE, { lake, meta, assets: () => assets })).toBeUndefined();

    const ok = claim('att_ok', 'returns');
    const killed = claim('att_killed', 'returns');
    const bad = claim('att_bad', 'prices');
    hooks.attemptStarted?.(ok);
    hooks.checkFinished?.(
      'returns',
      {
        check: 'not_empty',
        severity: 'error',
        blocking: true,
        passed: true,
        failingCount: 0,
        message: undefined,
      },
      'att_ok',
    );
    hooks.checkFinished?.(
      'returns',
      {
        check: 'no_outliers',
        severity: 'warn',
        blocking: false,
        passed: false,
        failingCount: 3,
        message: '3 rows',
      },
      'att_ok',
    );
    hooks.attemptFinished?.(report(ok, 'succeeded', 'OK'));
    hooks.attemptFinished?.(report(killed, 'canceled', 'KILLED'));
    hooks.attemptFinished?.(report(bad, 'failed', 'ERROR'));
    await vi.waitFor(() => expect(events).toHaveLength(4));

    expect(events.map((e) => [e.type, e.attempt.attemptId])).toEqual([
      ['START', 'att_ok'],
      ['COMPLETE', 'att_ok'],
      ['ABORT', 'att_killed'],
      ['FAIL', 'att_bad'],
    ]);
    const [start, complete, abort, fail] = events.map((e) => e.attempt);
    expect(start).toMatchObject({
      runId: 'run_1',
      runJob: 'marketlake.run',
      asset: 'returns',
      inputs: [
        { name: 'prices', fields: [{ name: 'symbol', type: 'VARCHAR', description: 'Ticker' }] },
      ],
      output: { name: 'daily_returns' },
    });
    expect(complete?.output).toMatchObject({
      name: 'daily_returns',
      rowCount: 7,
      assertions: [
        { assertion: 'not_empty', success: true, severity: 'error' },
        { assertion: 'no_outliers', success: false, severity: 'warn' },
      ],
    });
    expect(complete?.error).toBeUndefined();
    expect(abort?.output?.assertions).toBeUndefined();
    expect(abort?.error?.message).toBe('KILLED happened');
    expect(fail).toMatchObject({
      inputs: [],
      error: { message: 'ERROR happened', stackTrace: 'at y' },
    });
  });
});
