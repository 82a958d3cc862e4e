import { MarketlakeError, messageOf } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import { ConnectorRunFailedError, ConnectorSecretMissingError } from '../errors.js';
import { HttpClient, type ConnectorListener, type HttpClientOptions } from '../http/http-client.js';
import { lookupSecret, secretEnvName } from '../secrets.js';
import type { Connector, ConnectorContext, FetchTask } from './define-connector.js';
import { planRun, type RunPlan } from './incremental.js';
import type { AdjustmentEvent } from './unadjust.js';
import {
  checkRows,
  series1d,
  targetDatasets,
  type RejectedRow,
  type TargetDataset,
} from './rows.js';

/** HTTP settings a run may override (tests shorten timeouts and backoff, or swap fetch). */
export type HttpOverrides = Partial<
  Omit<HttpClientOptions, 'source' | 'listener' | 'signal' | 'secretValues'>
>;

/** Options of a connector run. */
export interface ConnectorRunOptions {
  /** Symbols to fetch (required by per-symbol connectors; a filter for per-date ones). */
  symbols?: readonly string[];
  /** Fetch from this date whatever the lake holds. */
  since?: string;
  /** Last date (default today, see `defaultUntil`). */
  until?: string;
  /** Overrides the provider's base URL (a mirror, a proxy, a fixture server). */
  baseUrl?: string;
  /** Secret values by name (default: `MARKETLAKE_SECRET_<NAME>` environment variables). */
  secrets?: Readonly<Record<string, string>>;
  env?: NodeJS.ProcessEnv;
  /** Connector-specific options (see each provider). */
  options?: Readonly<Record<string, unknown>>;
  http?: HttpOverrides;
  listener?: ConnectorListener;
  signal?: AbortSignal;
  /** The clock (default `new Date()`). */
  now?: () => Date;
  /** Recorded as the writer of the lake versions (default `connector:<name>`). */
  writer?: string;
  /** Return instead of throwing when some tasks failed (their failures are in the summary). */
  allowPartial?: boolean;
  /** Buffered rows that trigger a write mid-run (default 200 000). */
  flushRows?: number;
}

/** A task that failed, with its error. */
export interface TaskFailure {
  task: FetchTask;
  code: string;
  message: string;
  retryable: boolean;
}

/** What a run did. */
export interface ConnectorRunSummary {
  source: string;
  /** Tasks fetched successfully / planned. */
  tasksDone: number;
  tasksPlanned: number;
  /** Requested symbols already up to date (no request made). */
  upToDate: string[];
  until: string;
  requests: number;
  retries: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  rowsWritten: Partial<Record<TargetDataset, number>>;
  /** Lake version of each dataset written. */
  versions: Partial<Record<TargetDataset, number>>;
  rowsRejected: number;
  /** The first rejected rows (bad values the provider sent), with reasons. */
  rejected: RejectedRow[];
  failures: TaskFailure[];
  durationMs: number;
}

/** Rows fetched and mapped, per dataset, not yet written. */
export type CollectedRows = Record<TargetDataset, Record<string, unknown>[]>;

const emptyRows = (): CollectedRows => ({
  instruments: [],
  corporate_actions: [],
  bars_1d: [],
  bars_1m: [],
  series_1d: [],
});

/** Resolves the connector's key; a required one that is missing throws `CONNECTOR_SECRET_MISSING`. */
export function resolveKey(
  connector: Connector,
  options: Pick<ConnectorRunOptions, 'secrets' | 'env'>,
): string | undefined {
  if (!connector.key) return undefined;
  const key = lookupSecret(connector.key.secret, options.secrets, options.env);
  if (key === undefined && connector.key.required)
    throw new ConnectorSecretMissingError(
      `Connector ${connector.name} needs an API key: set the secret ${connector.key.secret} (environment variable ${secretEnvName(connector.key.secret)}). ${connector.key.howToGet}`,
      {
        details: {
          connector: connector.name,
          secret: connector.key.secret,
          env: secretEnvName(connector.key.secret),
        },
      },
    );
  return key;
}

/** The fetch context of a run (HTTP client, base URL, key, options, clock); `lake` feeds `corporateActions`. */
export function connectorContext(
  connector: Connector,
  options: ConnectorRunOptions = {},
  lake?: Lake,
): ConnectorContext {
  const key = resolveKey(connector, options);
  const http = new HttpClient({
    source: connector.name,
    minIntervalMs: connector.rateLimit.minIntervalMs,
    quota: connector.quota?.bind(connector),
    ...options.http,
    listener: options.listener,
    signal: options.signal,
    secretValues: key ? [key] : [],
  });
  return {
    http,
    baseUrl: (options.baseUrl ?? connector.baseUrl).replace(/\/+$/, ''),
    key,
    options: options.options ?? {},
    now: options.now?.() ?? new Date(),
    signal: options.signal,
    corporateActions: (symbol) => (lake ? storedActions(lake, symbol) : Promise.resolve([])),
  };
}

/** Splits and cash dividends of `symbol` in the lake's corporate_actions. */
export async function storedActions(lake: Lake, symbol: string): Promise<AdjustmentEvent[]> {
  const res = await lake.query(
    `SELECT CAST(ex_date AS VARCHAR) AS ex_date, type, value FROM corporate_actions WHERE symbol = '${symbol.replaceAll("'", "''")}' AND type IN ('split', 'cash_dividend') AND value > 0 ORDER BY ex_date`,
  );
  return res.rows.map((r) => ({
    exDate: String(r['ex_date']),
    kind: r['type'] === 'split' ? 'split' : 'cash_dividend',
    value: Number(r['value']),
  }));
}

/**
 * Fetches and maps the tasks without touching the lake. A task's rows count only when all its
 * pages arrived, so a failure never leaves a gap behind a newer stored date.
 */
export async function collectRows(
  connector: Connector,
  ctx: ConnectorContext,
  tasks: readonly FetchTask[],
  options: {
    symbols?: readonly string[];
    onTaskRows?: (rows: CollectedRows) => Promise<void>;
  } = {},
): Promise<{
  rows: CollectedRows;
  rejected: RejectedRow[];
  failures: TaskFailure[];
  tasksDone: number;
}> {
  const rows = emptyRows();
  const rejected: RejectedRow[] = [];
  const failures: TaskFailure[] = [];
  const wanted =
    connector.unit === 'date' && options.symbols?.length ? new Set(options.symbols) : undefined;
  let tasksDone = 0;
  for (const task of tasks) {
    const taskRows = emptyRows();
    try {
      for await (const payload of await connector.fetch(ctx, task)) {
        const mapped = connector.map(payload, task, ctx);
        for (const ds of targetDatasets) {
          for (const row of mapped[ds] ?? []) {
            const r = row as unknown as Record<string, unknown>;
            if (!wanted || wanted.has(String(r['symbol']))) taskRows[ds].push(r);
          }
        }
      }
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      const e = err instanceof MarketlakeError ? err : undefined;
      failures.push({
        task,
        code: e?.code ?? 'UNKNOWN',
        message: messageOf(err),
        retryable: e?.retryable ?? false,
      });
      const status = e?.details['status'];
      // A rejected key fails every task the same way: stop instead of hammering the provider.
      if (status === 401 || status === 403) break;
      continue;
    }
    tasksDone++;
    for (const ds of targetDatasets) {
      const { good, rejected: bad } = checkRows(ds, taskRows[ds]);
      rows[ds].push(...good);
      rejected.push(...bad);
    }
    if (options.onTaskRows) await options.onTaskRows(rows);
  }
  return { rows, rejected, failures, tasksDone };
}

/**
 * Runs a connector against the lake: plans what is missing (incremental), fetches and maps it,
 * checks the rows, and upserts them (`source` set to the connector's name). Throws
 * `CONNECTOR_RUN_FAILED` after writing the good tasks when some failed, unless `allowPartial`.
 */
export async function runConnector(
  lake: Lake,
  connector: Connector,
  options: ConnectorRunOptions = {},
): Promise<ConnectorRunSummary> {
  const started = performance.now();
  const ctx = connectorContext(connector, options, lake);
  if (connector.writes.includes('series_1d')) await lake.createDataset(series1d);
  const plan: RunPlan = await planRun(lake, connector, {
    symbols: options.symbols,
    since: options.since,
    until: options.until,
    now: ctx.now,
  });
  const rowsWritten: Partial<Record<TargetDataset, number>> = {};
  const versions: Partial<Record<TargetDataset, number>> = {};
  const ingestedAt = ctx.now.toISOString().replace('T', ' ').replace('Z', '');
  const writer = options.writer ?? `connector:${connector.name}`;
  const flushRows = options.flushRows ?? 200_000;
  const flush = async (rows: CollectedRows): Promise<void> => {
    for (const ds of targetDatasets) {
      const list = rows[ds];
      if (list.length === 0) continue;
      const stamped = list.map((r) =>
        ds === 'instruments'
          ? r
          : ds === 'corporate_actions'
            ? { ...r, source: connector.name }
            : { ...r, source: connector.name, ingested_at: ingestedAt },
      );
      const res = await lake.write(ds, { rows: stamped }, { mode: 'append', writer });
      rowsWritten[ds] = (rowsWritten[ds] ?? 0) + res.rowsWritten;
      versions[ds] = res.version;
      rows[ds] = [];
    }
  };
  const collected = await collectRows(connector, ctx, plan.tasks, {
    symbols: options.symbols,
    onTaskRows: async (rows) => {
      const buffered = targetDatasets.reduce((n, ds) => n + rows[ds].length, 0);
      if (buffered >= flushRows) await flush(rows);
    },
  });
  await flush(collected.rows);
  const stats = ctx.http.stats;
  const summary: ConnectorRunSummary = {
    source: connector.name,
    tasksDone: collected.tasksDone,
    tasksPlanned: plan.tasks.length,
    upToDate: plan.upToDate,
    until: plan.until,
    requests: stats.requests,
    retries: stats.retries,
    rateLimitWaits: stats.rateLimitWaits,
    rateLimitWaitMs: stats.rateLimitWaitMs,
    rowsWritten,
    versions,
    rowsRejected: collected.rejected.length,
    rejected: collected.rejected.slice(0, 20),
    failures: collected.failures,
    durationMs: Math.round(performance.now() - started),
  };
  if (collected.failures.length > 0 && !options.allowPartial) {
    const first = collected.failures[0]!;
    const what = (t: FetchTask): string => (t.symbol ? `${t.symbol} ${t.from}..${t.to}` : t.from);
    throw new ConnectorRunFailedError(
      `Connector ${connector.name}: ${collected.failures.length} of ${plan.tasks.length} tasks failed (first: ${what(first.task)}: ${first.message}). ${collected.tasksDone} tasks were written; run again to fetch the rest.`,
      {
        retryable: collected.failures.every((f) => f.retryable),
        details: { summary, failures: collected.failures.slice(0, 20) },
      },
    );
  }
  return summary;
}
