/**
 * The attempt worker: a child process forked by the executor pool that runs one attempt at a
 * time and then waits for the next. It runs `run(ctx)` tasks in its own process and command tasks
 * as its children, reporting log lines, metadata, rows and the outcome over IPC. The pool measures
 * it from /proc and kills it on timeout, OOM or cancel; it never measures itself.
 */
import type { AssetDefinition } from '../sdk/asset.js';
import { PipelinesCommandFailedError, PipelinesTaskUnsupportedError } from '../errors.js';
import { AttemptChannel, secretRedactor, serializeError } from './attempt-channel.js';
import { killRunningCommand, runCommandTask } from './command-task.js';
import { compilerLoaded } from './compile-cache.js';
import { collectGarbage } from './garbage-collection.js';
import { HttpRequestRecorder } from './http-recorder.js';
import { PipelineModules } from './pipeline-modules.js';
import { loadLakeFactory, type LakeFactory, type LakeLease } from './lake-factory.js';
import { runSqlTask } from './sql-task.js';
import { createTaskContext } from './task-context.js';
import { WorkerOutput } from './worker-output.js';
import type {
  PoolMessage,
  RunTaskSpec,
  SqlTaskSpec,
  WorkerAttempt,
  WorkerConfig,
  WorkerMessage,
} from './worker-protocol.js';

const output = new WorkerOutput();
const modules = new PipelineModules();
let lakeFactory: Promise<LakeFactory | undefined> = Promise.resolve(undefined);
let abort: AbortController | undefined;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** The lake for `attempt` from the factory, when the pool has one. */
async function leaseLake(attempt: WorkerAttempt): Promise<LakeLease | undefined> {
  const factory = await lakeFactory;
  return factory?.({
    lakePath: attempt.lakePath,
    asset: attempt.asset,
    partition: attempt.partition,
    runId: attempt.runId,
    attemptId: attempt.attemptId,
    attempt: attempt.attempt,
  });
}

async function runFunction(
  attempt: WorkerAttempt,
  task: RunTaskSpec,
  channel: AttemptChannel,
  signal: AbortSignal,
): Promise<void> {
  const definition: AssetDefinition = await modules.findAsset(
    task.projectDir,
    task.file,
    attempt.asset,
    task.codeVersion,
  );
  if (definition.task.type !== 'run')
    throw new PipelinesTaskUnsupportedError(
      `Asset "${attempt.asset}" is a ${definition.task.type} task, not a run(ctx) function.`,
    );
  const lease = await leaseLake(attempt);
  output.capture((stream, line) =>
    channel.log(stream === 'stderr' ? 'warn' : 'info', stream, line),
  );
  try {
    await definition.task.run(createTaskContext(attempt, channel, signal, lease?.lake));
  } catch (error) {
    output.release();
    await Promise.resolve(lease?.release?.()).catch(() => undefined); // the task's error wins
    throw error;
  }
  output.release();
  await lease?.release?.();
}

async function runSql(
  attempt: WorkerAttempt,
  task: SqlTaskSpec,
  channel: AttemptChannel,
): Promise<void> {
  const lease = await leaseLake(attempt);
  try {
    await runSqlTask(attempt, task, lease?.lake, channel);
  } finally {
    await lease?.release?.();
  }
}

async function runAttempt(attempt: WorkerAttempt): Promise<void> {
  const channel = new AttemptChannel(attempt.attemptId, attempt.secrets, send);
  // Only a run(ctx) task makes requests in this process (a command's are out of sight).
  const http =
    attempt.task.kind === 'run'
      ? new HttpRequestRecorder(secretRedactor(attempt.secrets))
      : undefined;
  http?.start();
  abort = new AbortController();
  const { task } = attempt;
  try {
    if (task.kind === 'run') {
      await runFunction(attempt, task, channel, abort.signal);
      channel.done(undefined, undefined, compilerLoaded(), http?.stop());
    } else if (task.kind === 'sql') {
      await runSql(attempt, task, channel);
      channel.done(undefined, undefined, compilerLoaded());
    } else {
      channel.done(undefined, await runCommandTask(task, channel), compilerLoaded());
    }
  } catch (error) {
    const exitCode =
      error instanceof PipelinesCommandFailedError ? error.details['exitCode'] : undefined;
    const code = typeof exitCode === 'number' ? exitCode : undefined;
    channel.done(serializeError(error), code, compilerLoaded(), http?.stop());
  } finally {
    http?.stop();
    abort = undefined;
  }
  // Unasked, so the pool saves a message per attempt; a pool retiring this worker ignores it.
  await collectGarbage(false);
  send({ type: 'idle', rssBytes: process.memoryUsage.rss() });
}

function shutdown(): void {
  abort?.abort(new Error('The executor is shutting down.'));
  killRunningCommand();
  process.exit(0);
}

function onMessage(message: PoolMessage): void {
  switch (message.type) {
    case 'attempt':
      void runAttempt(message.attempt);
      break;
    case 'shutdown':
      shutdown();
  }
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  output.install();
  process.on('message', (message) => onMessage(message as PoolMessage));
  process.on('disconnect', shutdown); // the pool's process went away
  lakeFactory = loadLakeFactory(config.lakeFactory);
  void Promise.all([modules.loadSdk(), lakeFactory]).then(
    async () => {
      await collectGarbage(true);
      send({ type: 'ready', pid: process.pid, compilerLoaded: compilerLoaded() });
    },
    (error: unknown) => {
      process.stderr.write(`marketlake attempt worker failed to start: ${String(error)}\n`);
      process.exit(70);
    },
  );
}

main();
