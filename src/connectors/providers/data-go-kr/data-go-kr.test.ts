import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testConnector } from '../../testing/test-connector.js';
import { dataGoKr } from './data-go-kr.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const path = '/1160100/service/GetStockSecuritiesInfoService/getStockPriceInfo';

describe('data-go-kr connector', () => {
  it('pages by pageNo until totalCount, sends serviceKey once (encoded keys are kept as given)', async () => {
    const res = await testConnector(dataGoKr, {
      routes: [
        {
          path,
          query: { basDt: '20240103', pageNo: '1' },
          file: fixture('price-20240103-page1.json'),
        },
        {
          path,
          query: { basDt: '20240103', pageNo: '2' },
          file: fixture('price-20240103-page2.json'),
        },
      ],
      tasks: [{ from: '2024-01-03', to: '2024-01-03' }],
      run: { secrets: { 'data-go-kr.service_key': 'abc%2Bdef%3D%3D' }, options: { numOfRows: 2 } },
    });
    expect(res.failures).toEqual([]);
    expect(res.requests.map((r) => r.query)).toEqual([
      {
        serviceKey: 'abc+def==',
        resultType: 'json',
        basDt: '20240103',
        numOfRows: '2',
        pageNo: '1',
      },
      {
        serviceKey: 'abc+def==',
        resultType: 'json',
        basDt: '20240103',
        numOfRows: '2',
        pageNo: '2',
      },
    ]);
    expect(res.rows.bars_1d.map((b) => [b['symbol'], b['close'], b['volume']])).toEqual([
      ['005930', 77_000, 21_753_644],
      ['247540', 262_500, 901_382],
      ['000660', 138_300, 3_937_349],
    ]);
    expect(res.rows.instruments[1]).toEqual({
      symbol: '247540',
      exchange: 'XKOS',
      name: '에코프로비엠',
      type: 'stock',
      currency: 'KRW',
      isin: 'KR7247540008',
      local_code: '247540',
    });
  });

  it('takes an empty day (items "") as no rows', async () => {
    const res = await testConnector(dataGoKr, {
      routes: [{ path, query: { basDt: '20240104' }, file: fixture('empty-20240104.json') }],
      tasks: [{ from: '2024-01-04', to: '2024-01-04' }],
      run: { secrets: { 'data-go-kr.service_key': 'plain-key' } },
    });
    expect(res.failures).toEqual([]);
    expect(res.rows.bars_1d).toEqual([]);
  });

  it('explains the XML error the gateway sends with 200 for an unregistered key', async () => {
    const res = await testConnector(dataGoKr, {
      routes: [{ path, file: fixture('key-not-registered.xml') }],
      tasks: [
        { from: '2024-01-03', to: '2024-01-03' },
        { from: '2024-01-04', to: '2024-01-04' },
      ],
      run: { secrets: { 'data-go-kr.service_key': 'plain-key' } },
    });
    expect(res.requests).toHaveLength(1);
    expect(res.failures[0]!.message).toMatch(
      /SERVICE_KEY_IS_NOT_REGISTERED_ERROR.*data-go-kr.service_key/,
    );
    expect(res.failures[0]!.message).not.toContain('plain-key');
  });
});
