import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testConnector } from '../../testing/test-connector.js';
import { ecb, ecbSeriesKey, ecbStoredSymbol } from './ecb.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('ecb connector', () => {
  it('names series: currency codes become D.<CCY>.EUR.SP00.A stored as EUR<CCY>', () => {
    expect(ecbSeriesKey('usd')).toBe('D.USD.EUR.SP00.A');
    expect(ecbStoredSymbol('USD')).toBe('EURUSD');
    expect(ecbStoredSymbol('EXR.D.JPY.EUR.SP00.A')).toBe('EURJPY');
    expect(ecbStoredSymbol('M.USD.EUR.SP00.A')).toBe('EXR.M.USD.EUR.SP00.A');
  });

  it('reads the SDMX CSV (quoted fields with commas) into series_1d', async () => {
    const res = await testConnector(ecb, {
      routes: [
        {
          path: '/service/data/EXR/D.USD.EUR.SP00.A',
          query: { format: 'csvdata' },
          file: fixture('exr-usd.csv'),
        },
      ],
      tasks: [{ symbol: 'USD', from: '2024-01-02', to: '2024-01-05' }],
    });
    expect(res.requests[0]!.query).toEqual({
      format: 'csvdata',
      startPeriod: '2024-01-02',
      endPeriod: '2024-01-05',
    });
    expect(res.rows.series_1d).toEqual([
      { symbol: 'EURUSD', date: '2024-01-02', value: 1.0956 },
      { symbol: 'EURUSD', date: '2024-01-03', value: 1.0919 },
      { symbol: 'EURUSD', date: '2024-01-04', value: 1.0953 },
      { symbol: 'EURUSD', date: '2024-01-05', value: 1.0921 },
    ]);
  });

  it('takes 404 "No results found" as an empty range, not an error', async () => {
    const res = await testConnector(ecb, {
      routes: [
        { path: '/service/data/EXR/D.USD.EUR.SP00.A', status: 404, body: 'No results found.' },
      ],
      tasks: [{ symbol: 'USD', from: '2024-01-06', to: '2024-01-07' }],
    });
    expect(res.failures).toEqual([]);
    expect(res.rows.series_1d).toEqual([]);
  });

  it('rejects a 200 that is not the SDMX CSV', async () => {
    const res = await testConnector(ecb, {
      routes: [
        { path: '/service/data/EXR/D.USD.EUR.SP00.A', body: 'Service temporarily unavailable' },
      ],
      tasks: [{ symbol: 'USD', from: '2024-01-02', to: '2024-01-05' }],
    });
    expect(res.failures).toMatchObject([{ code: 'CONNECTOR_BAD_PAYLOAD' }]);
    expect(res.failures[0]!.message).toMatch(
      /without the expected CSV header \(missing KEY, TIME_PERIOD, OBS_VALUE/,
    );
  });
});
