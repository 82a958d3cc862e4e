import { z } from 'zod';
import { ConnectorBadPayloadError, ConnectorHttpError } from '../../errors.js';
import { expectShape, looksLikeXml, parseJsonBody, snippet } from '../../http/payload.js';
import {
  defineConnector,
  type ConnectorContext,
  type FetchTask,
} from '../../sdk/define-connector.js';
import { compactDate } from '../../sdk/dates.js';
import type { BarRow, InstrumentRow } from '../../sdk/rows.js';
import { pageSize } from '../page-size.js';
import { krNumber } from '../krx/krx.js';

const itemSchema = z.looseObject({
  basDt: z.string(),
  srtnCd: z.string(),
  isinCd: z.string().optional(),
  itmsNm: z.string(),
  mrktCtg: z.string().optional(),
  clpr: z.string(),
  mkp: z.string(),
  hipr: z.string(),
  lopr: z.string(),
  trqu: z.string(),
  trPrc: z.string().optional(),
});
const docSchema = z.looseObject({
  response: z.looseObject({
    header: z.looseObject({ resultCode: z.string(), resultMsg: z.string() }),
    body: z
      .looseObject({
        totalCount: z.coerce.number(),
        // An empty result has items "" instead of an object; one item may come unwrapped.
        items: z.union([
          z.literal(''),
          z.looseObject({ item: z.union([z.array(itemSchema), itemSchema]) }),
        ]),
      })
      .optional(),
  }),
});

/** One page of the FSC stock price service. */
export type FscPage = z.infer<typeof itemSchema>[];

const PAGE = 1000;
const MIC: Record<string, string> = { KOSPI: 'XKRX', KOSDAQ: 'XKOS', KONEX: 'XKNX' };
const PATH = '/1160100/service/GetStockSecuritiesInfoService/getStockPriceInfo';

// data.go.kr hands out an already URL-encoded key too; encoding it again breaks it.
const encodeKey = (key: string): string =>
  /%[0-9A-Fa-f]{2}/.test(key) ? key : encodeURIComponent(key);

function parsePage(source: string, url: string, body: string): z.infer<typeof docSchema> {
  if (looksLikeXml(body)) {
    // Gateway errors (bad or unregistered key, quota) come as XML whatever resultType says.
    const reason =
      /<returnAuthMsg>([^<]*)</.exec(body)?.[1] ??
      /<errMsg>([^<]*)</.exec(body)?.[1] ??
      snippet(body, 80);
    const auth = /KEY|AUTH|REGISTERED/i.test(reason);
    throw new ConnectorHttpError(
      `${source}: ${url} answered "${reason}".${auth ? ' Check the data-go-kr.service_key secret (the Decoding or Encoding key from your data.go.kr account) and that the service is approved for it.' : ' The gateway refused the call (quota or maintenance).'}`,
      { retryable: !auth, details: { source, url, status: auth ? 401 : 503, reason } },
    );
  }
  const doc = expectShape(
    source,
    url,
    docSchema,
    parseJsonBody(source, url, body),
    'a getStockPriceInfo document',
  );
  if (doc.response.header.resultCode !== '00')
    throw new ConnectorBadPayloadError(
      `${source}: ${url} answered resultCode ${doc.response.header.resultCode} "${doc.response.header.resultMsg}". Check the request parameters.`,
      { details: { source, url, resultCode: doc.response.header.resultCode } },
    );
  return doc;
}

async function* pages(ctx: ConnectorContext, task: FetchTask): AsyncGenerator<FscPage> {
  const rows = pageSize(ctx.options['numOfRows'], PAGE);
  for (let pageNo = 1; ; pageNo++) {
    const query = `serviceKey=${encodeKey(ctx.key ?? '')}&resultType=json&basDt=${compactDate(task.from)}&numOfRows=${rows}&pageNo=${pageNo}`;
    const doc = await ctx.http.request(`${ctx.baseUrl}${PATH}?${query}`, {}, (res) =>
      parsePage(ctx.http.source, res.url, res.body),
    );
    const body = doc.response.body;
    const items = !body || body.items === '' ? [] : body.items.item;
    const page = Array.isArray(items) ? items : [items];
    yield page;
    if (!body || pageNo * rows >= body.totalCount || page.length === 0) return;
  }
}

/** Financial Services Commission stock prices on data.go.kr (`getStockPriceInfo?basDt=`). */
export const dataGoKr = defineConnector<FscPage>({
  name: 'data-go-kr',
  title: 'data.go.kr FSC stock prices',
  description:
    "Daily OHLCV of every listed Korean stock per date from the Financial Services Commission's public data service; symbols are 6-digit short codes. Published the next business day.",
  baseUrl: 'https://apis.data.go.kr',
  homepage: 'https://www.data.go.kr/data/15094808/openapi.do',
  terms:
    'Korea Public Data (공공누리) terms: free, commercial use allowed with attribution of the source (금융위원회); a personal service key per user; development keys are capped per day.',
  key: {
    secret: 'data-go-kr.service_key',
    required: true,
    howToGet:
      'Apply for 금융위원회_주식시세정보 at https://www.data.go.kr and copy the service key (Decoding or Encoding form).',
  },
  writes: ['bars_1d', 'instruments'],
  stateDataset: 'bars_1d',
  unit: 'date',
  calendar: 'XKRX',
  publishLagDays: 1,
  defaultLookbackDays: 10,
  rateLimit: {
    minIntervalMs: 100,
    note: 'Development keys: 10,000 calls per day; the gateway answers XML errors past the quota.',
  },
  fetch: pages,
  map(page, task) {
    const bars: BarRow[] = [];
    const instruments: InstrumentRow[] = [];
    for (const r of page) {
      const mic = MIC[r.mrktCtg ?? ''] ?? 'XKRX';
      instruments.push({
        symbol: r.srtnCd,
        exchange: mic,
        name: r.itmsNm,
        type: 'stock',
        currency: 'KRW',
        isin: r.isinCd ?? null,
        local_code: r.srtnCd,
      });
      const volume = krNumber(r.trqu);
      if (volume === 0 && krNumber(r.mkp) === 0) continue;
      bars.push({
        symbol: r.srtnCd,
        date: task.from,
        open: krNumber(r.mkp),
        high: krNumber(r.hipr),
        low: krNumber(r.lopr),
        close: krNumber(r.clpr),
        volume,
        turnover: Number.isNaN(krNumber(r.trPrc)) ? null : krNumber(r.trPrc),
      });
    }
    return { bars_1d: bars, instruments };
  },
});
