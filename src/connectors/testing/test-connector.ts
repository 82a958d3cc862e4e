import type { Connector, FetchTask } from '../sdk/define-connector.js';
import type { HttpStats } from '../http/http-client.js';
import {
  collectRows,
  connectorContext,
  type CollectedRows,
  type ConnectorRunOptions,
  type TaskFailure,
} from '../sdk/run-connector.js';
import type { RejectedRow } from '../sdk/rows.js';
import {
  startFixtureServer,
  type Fault,
  type FixtureRoute,
  type RecordedRequest,
} from './fixture-server.js';

/** What `testConnector` runs: recorded routes, optional faults, and the tasks to fetch. */
export interface ConnectorTestCase {
  routes: readonly FixtureRoute[];
  tasks: readonly FetchTask[];
  /** Faults injected before the run (e.g. a 429 on the first request). */
  faults?: readonly { fault: Fault; times?: number; path?: string }[];
  /** Run options (secrets, options, now, http); the base URL is the fixture server's. */
  run?: Omit<ConnectorRunOptions, 'baseUrl'>;
}

/** What the connector produced against the fixtures. */
export interface ConnectorTestResult {
  rows: CollectedRows;
  rejected: RejectedRow[];
  failures: TaskFailure[];
  requests: RecordedRequest[];
  stats: HttpStats;
}

/**
 * Runs a connector's fetch and map against recorded responses on a local fixture server, without
 * a lake (for unit tests of a connector). Backoff is shortened so fault tests stay fast.
 */
export async function testConnector(
  connector: Connector,
  testCase: ConnectorTestCase,
): Promise<ConnectorTestResult> {
  const server = await startFixtureServer(testCase.routes);
  try {
    for (const f of testCase.faults ?? []) server.fail(f.fault, { times: f.times, path: f.path });
    const ctx = connectorContext(connector, {
      ...testCase.run,
      http: {
        baseDelayMs: 5,
        maxDelayMs: 50,
        timeoutMs: 2000,
        minIntervalMs: 0,
        ...testCase.run?.http,
      },
      baseUrl: server.url,
    });
    const out = await collectRows(connector, ctx, testCase.tasks, {
      symbols: testCase.run?.symbols,
    });
    return {
      rows: out.rows,
      rejected: out.rejected,
      failures: out.failures,
      requests: server.requests,
      stats: { ...ctx.http.stats },
    };
  } finally {
    await server.close();
  }
}
