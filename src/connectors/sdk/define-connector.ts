import type { CalendarName } from '../../market/index.js';
import { ConnectorInvalidOptionsError } from '../errors.js';
import type { HttpClient } from '../http/http-client.js';
import type { MappedRows, TargetDataset } from './rows.js';
import type { AdjustmentEvent } from './unadjust.js';

/** One unit of fetching: a symbol over a date range, or (per-date connectors) one date. */
export interface FetchTask {
  /** The symbol as the user asked for it (per-symbol connectors); undefined for per-date ones. */
  symbol?: string;
  /** First date wanted, inclusive, 'YYYY-MM-DD'. */
  from: string;
  /** Last date wanted, inclusive (equal to `from` for per-date connectors). */
  to: string;
  /**
   * bars_1m-state connectors resuming a symbol: the latest stored bar's start, an ISO-8601 UTC
   * instant ('2024-01-03T00:04:00Z') on `from`; fetch only bars that start after it. Undefined on
   * a first run and with `since`, and always for daily connectors.
   */
  after?: string;
}

/** What a connector's `fetch` and `map` get from the SDK. */
export interface ConnectorContext {
  /** Paced, retrying, validating HTTP client of this run. */
  readonly http: HttpClient;
  /** Base URL of the provider (the default, or the run's override; no trailing slash). */
  readonly baseUrl: string;
  /** The API key from the connector's secret, when it has one and it is set. */
  readonly key: string | undefined;
  /** Connector-specific options of the run (e.g. Yahoo's `interval`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The run's clock (pinned in tests). */
  readonly now: Date;
  /** Splits and cash dividends the lake holds for a stored symbol (to undo a vendor's adjustment). */
  corporateActions(symbol: string): Promise<AdjustmentEvent[]>;
  readonly signal?: AbortSignal;
}

/** The API key a connector takes from secrets ("bring your own key"). */
export interface ConnectorKey {
  /** Secret name, e.g. `fred.api_key` (env `MARKETLAKE_SECRET_FRED_API_KEY`). */
  secret: string;
  /** Whether runs fail without it. */
  required: boolean;
  /** Where a user gets one. */
  howToGet: string;
}

/**
 * A market-data source: how to fetch raw payloads for a task and how to map one payload to the
 * standard rows. The SDK adds pacing, retries, payload checks, incremental state and writes.
 */
export interface ConnectorDefinition<P = unknown> {
  /** Short id (lower case letters, digits, dashes); written to the `source` column. */
  name: string;
  title: string;
  description: string;
  /** Provider's default base URL (runs may override it, tests point it at a fixture server). */
  baseUrl: string;
  /** Terms of use in one or two sentences (personal/non-commercial, attribution, ...). */
  terms: string;
  homepage?: string;
  key?: ConnectorKey;
  /** Datasets `map` fills. */
  writes: readonly TargetDataset[];
  /** The dataset whose latest stored date makes runs incremental. */
  stateDataset: 'bars_1d' | 'bars_1m' | 'series_1d';
  /** `symbol`: one task per symbol and missing range; `date`: one task per missing session. */
  unit: 'symbol' | 'date';
  /** Calendar whose sessions per-date connectors fetch, and whose zone defines "today". */
  calendar?: CalendarName;
  /** How far back a first run goes when the lake has nothing and no `since` is given. */
  defaultLookbackDays: number;
  /** Per-date connectors: days after a session before the provider publishes it (default: 1 hour after the close). */
  publishLagDays?: number;
  /** The provider's published limit, as the minimum time between requests, and a note for docs. */
  rateLimit: { minIntervalMs: number; note: string };
  /** The stored symbol of a requested one (e.g. ECB `USD` -> `EURUSD`); default unchanged. */
  storedSymbol?(symbol: string): string;
  /** Quota headers of a successful response -> pause before the next request. */
  quota?(headers: Headers): { waitMs: number; reason: string } | undefined;
  /** Fetches the raw payloads (pages) of one task. */
  fetch(ctx: ConnectorContext, task: FetchTask): Promise<readonly P[]> | AsyncIterable<P>;
  /** Maps one payload to standard rows; rows that break the datasets' rules are reported, not stored. */
  map(payload: P, task: FetchTask, ctx: ConnectorContext): MappedRows;
}

/** A connector of any payload type. */
export type Connector = ConnectorDefinition<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NAME = /^[a-z][a-z0-9-]{1,40}$/;

/** Checks a connector definition and returns it typed; a bad field throws `CONNECTOR_INVALID_OPTIONS`. */
export function defineConnector<P>(definition: ConnectorDefinition<P>): ConnectorDefinition<P> {
  const fail = (field: string, problem: string): never => {
    throw new ConnectorInvalidOptionsError(
      `Connector ${definition.name || '(unnamed)'}: ${field} ${problem}.`,
      { details: { connector: definition.name, field } },
    );
  };
  if (!NAME.test(definition.name ?? ''))
    fail('name', 'must be 2-41 lower-case letters, digits or dashes, starting with a letter');
  try {
    new URL(definition.baseUrl);
  } catch {
    fail('baseUrl', `"${definition.baseUrl}" is not an absolute URL`);
  }
  if (definition.writes.length === 0) fail('writes', 'must name at least one dataset');
  if (!definition.writes.includes(definition.stateDataset))
    fail(
      'stateDataset',
      `"${definition.stateDataset}" must be one of the datasets it writes (${definition.writes.join(', ')})`,
    );
  if (!(definition.defaultLookbackDays >= 1)) fail('defaultLookbackDays', 'must be at least 1');
  if (!(definition.rateLimit.minIntervalMs >= 0))
    fail('rateLimit.minIntervalMs', 'must be 0 or more');
  if (typeof definition.fetch !== 'function' || typeof definition.map !== 'function')
    fail('fetch/map', 'must both be functions');
  return definition;
}
