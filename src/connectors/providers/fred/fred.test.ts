import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectorContext } from '../../sdk/run-connector.js';
import { testConnector } from '../../testing/test-connector.js';
import { fred } from './fred.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const task = { symbol: 't10y2y', from: '2024-01-01', to: '2024-01-05' };

describe('fred connector', () => {
  it('maps observations to series_1d, skipping "." and keeping zero and negative values', async () => {
    const res = await testConnector(fred, {
      routes: [
        {
          path: '/fred/series/observations',
          query: { series_id: 'T10Y2Y', api_key: 'k-123456' },
          file: fixture('t10y2y.json'),
        },
      ],
      tasks: [task],
      run: { secrets: { 'fred.api_key': 'k-123456' } },
    });
    expect(res.requests[0]!.query).toEqual({
      series_id: 'T10Y2Y',
      api_key: 'k-123456',
      file_type: 'json',
      observation_start: '2024-01-01',
      observation_end: '2024-01-05',
    });
    expect(res.rows.series_1d).toEqual([
      { symbol: 'T10Y2Y', date: '2024-01-02', value: -0.38 },
      { symbol: 'T10Y2Y', date: '2024-01-03', value: -0.42 },
      { symbol: 'T10Y2Y', date: '2024-01-04', value: -0.38 },
      { symbol: 'T10Y2Y', date: '2024-01-05', value: 0 },
    ]);
  });

  it('takes the key from MARKETLAKE_SECRET_FRED_API_KEY and refuses to run without one', () => {
    const env = { MARKETLAKE_SECRET_FRED_API_KEY: 'from-env-key' };
    expect(connectorContext(fred, { env }).key).toBe('from-env-key');
    expect(() => connectorContext(fred, { env: {} })).toThrow(
      expect.objectContaining({
        code: 'CONNECTOR_SECRET_MISSING',
        message: expect.stringMatching(/MARKETLAKE_SECRET_FRED_API_KEY/),
      }),
    );
  });

  it('reports a rejected key with the key redacted', async () => {
    const res = await testConnector(fred, {
      routes: [{ path: '/fred/series/observations', status: 400, file: fixture('bad-key.json') }],
      tasks: [task],
      run: { secrets: { 'fred.api_key': 'k-123456' } },
    });
    expect(res.failures).toMatchObject([{ code: 'CONNECTOR_HTTP_ERROR', retryable: false }]);
    expect(res.failures[0]!.message).toMatch(/api_key=\*\*\*.*answered 400.*not registered/);
    expect(res.failures[0]!.message).not.toContain('k-123456');
  });
});
