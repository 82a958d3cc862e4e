/**
 * The demo's instrument universe: 60 US stocks on XNYS, 40 Korean stocks on XKRX, a crypto pair
 * and the USD/KRW rate, each with the parameters its price path is simulated from. Names and
 * symbols are plainly synthetic so that demo data can never pass for a real quote.
 */
import type { DemoRandom } from './random.js';
import type { DemoMarketName } from './types.js';

/** Sectors of the US stocks, with words that make plausible company names. */
const US_SECTORS = [
  { name: 'Technology', words: ['Semiconductor', 'Software', 'Systems'] },
  { name: 'Financials', words: ['Bancorp', 'Capital', 'Insurance'] },
  { name: 'Health Care', words: ['Therapeutics', 'Biosciences', 'Medical'] },
  { name: 'Energy', words: ['Petroleum', 'Energy', 'Resources'] },
  { name: 'Industrials', words: ['Industries', 'Aerospace', 'Logistics'] },
  { name: 'Consumer', words: ['Foods', 'Retail', 'Brands'] },
  { name: 'Utilities', words: ['Power', 'Water', 'Utilities'] },
  { name: 'Communication', words: ['Media', 'Networks', 'Telecom'] },
] as const;

/** Sectors of the Korean stocks: English sector name and the Korean word in company names. */
const KR_SECTORS = [
  { name: 'Semiconductors', word: '반도체' },
  { name: 'Electronics', word: '전자' },
  { name: 'Autos', word: '자동차' },
  { name: 'Chemicals', word: '화학' },
  { name: 'Financials', word: '금융지주' },
  { name: 'Bio', word: '바이오' },
  { name: 'Shipbuilding', word: '중공업' },
  { name: 'Internet', word: '인터넷' },
] as const;

/** First words of the company names, one per stock (split once at load). */
const US_WORDS = (
  'Aster Birch Cobalt Dune Ember Fjord Garnet Helix Indigo Juniper Kestrel Lumen Meridian ' +
  'Nimbus Onyx Pinnacle Quartz Riverstone Sable Tundra Umber Vesper Willow Xenon Yarrow ' +
  'Zephyr Alder Basalt Cedar Driftwood Eastwind Flint Granite Harbor Ironwood Jasper Kelp ' +
  'Larkspur Maple Northstar Oakmont Prairie Quill Redwood Summit Thistle Upland Valley ' +
  'Westbrook Yellowtail Acorn Bluff Canyon Delta Elm Fern Glacier Heron Isle Jetty'
).split(' ');

const KR_WORDS = (
  '한빛 새봄 푸른 누리 다온 미래 하늘 가람 바다 별빛 은하 태양 솔빛 한결 초록 두리 나래 보람 아라 온새 ' +
  '라온 마루 빛누리 새벽 샘물 아침 노을 한울 고운 단비 들꽃 구름 여울 윤슬 해오름 꽃샘 시냇물 동녘 새움 푸름'
).split(' ');

/** Stock splits planned at fixed positions of the universe: index -> new shares per old share. */
const US_SPLITS: Readonly<Record<number, number>> = { 3: 2, 11: 2, 19: 3, 27: 2, 35: 5, 43: 2 };
const KR_SPLITS: Readonly<Record<number, number>> = { 2: 50, 12: 10, 22: 5 };
/** The last few stocks of each market list after the start (IPOs). */
const US_LATE_LISTINGS = 3;
const KR_LATE_LISTINGS = 2;

/** An instrument with what its simulation needs. */
export interface InstrumentPlan {
  symbol: string;
  exchange: DemoMarketName;
  name: string;
  localName: string | undefined;
  type: 'stock' | 'crypto' | 'fx';
  currency: 'USD' | 'KRW';
  localCode: string | undefined;
  sector: string;
  /** Market factor row (0 US, 1 KR) and sector factor row, -1 when unused. */
  marketFactor: number;
  sectorFactor: number;
  /** Loadings on the global, market and sector factors. */
  betaGlobal: number;
  betaMarket: number;
  betaSector: number;
  /** Daily idiosyncratic volatility (calm regime). */
  idioVol: number;
  /** Log drift per calendar day. */
  driftPerDay: number;
  /** Mean reversion of the log level toward its trend, per session. */
  reversion: number;
  startPrice: number;
  /** Typical volume per session at the start. */
  baseVolume: number;
  /** Fraction of the date range at which the stock lists (0: listed from the start). */
  listAt: number;
  /** Planned split: ratio and fraction of the range, if any. */
  split: { ratio: number; at: number } | undefined;
  /** Annual dividend yield (0: pays none); US pays quarterly, KR once a year. */
  dividendYield: number;
  /** US: first ex-dividend month (1-3) and day of month the ex-dates follow. */
  dividendMonth: number;
  dividendDay: number;
  /** Daily price limit as a fraction (XKRX 30%), or 0 for none. */
  priceLimit: number;
}

/** Number of sector factors (US sectors first, then KR sectors). */
export const SECTOR_FACTORS = US_SECTORS.length + KR_SECTORS.length;

/** 'Semiconductor Inc', 'Power Holdings'...; a bank's 'Bancorp' needs no suffix. */
function usNameEnd(word: string, i: number): string {
  return word === 'Bancorp' ? word : `${word} ${['Inc', 'Corp', 'Holdings', 'Group'][i % 4]}`;
}

function usTicker(i: number): string {
  const letter = (n: number): string => String.fromCharCode(65 + n);
  return i < 26 ? `SYN${letter(i)}` : `SYN${letter(Math.floor(i / 26) - 1)}${letter(i % 26)}`;
}

function stock(
  rng: DemoRandom,
  i: number,
  total: number,
  late: number,
  splitRatio: number | undefined,
): Pick<
  InstrumentPlan,
  | 'betaGlobal'
  | 'betaMarket'
  | 'betaSector'
  | 'idioVol'
  | 'driftPerDay'
  | 'reversion'
  | 'listAt'
  | 'split'
> {
  return {
    betaGlobal: rng.between(0.7, 1.3),
    betaMarket: rng.between(0.8, 1.2),
    betaSector: rng.between(0.8, 1.2),
    idioVol: rng.between(0.009, 0.016),
    driftPerDay: rng.between(0.02, 0.12) / 365,
    reversion: 0.002,
    listAt: i >= total - late ? rng.between(0.2, 0.7) : 0,
    split:
      splitRatio === undefined ? undefined : { ratio: splitRatio, at: rng.between(0.15, 0.85) },
  };
}

/** Builds the universe from the plan stream: same stream, same instruments and parameters. */
export function buildUniverse(rng: DemoRandom): InstrumentPlan[] {
  const out: InstrumentPlan[] = [];
  const usCount = US_WORDS.length;
  for (let i = 0; i < usCount; i++) {
    const s = i % US_SECTORS.length;
    const sector = US_SECTORS[s]!;
    const ratio = US_SPLITS[i];
    const base = stock(rng, i, usCount, US_LATE_LISTINGS, ratio);
    const startPrice = ratio ? rng.between(80, 150) * ratio : rng.logBetween(15, 250);
    const pays = rng.uniform() < 0.6;
    out.push({
      symbol: usTicker(i),
      exchange: 'XNYS',
      name: `${US_WORDS[i]} ${usNameEnd(sector.words[i % sector.words.length]!, i)} (synthetic)`,
      localName: undefined,
      type: 'stock',
      currency: 'USD',
      localCode: undefined,
      sector: sector.name,
      marketFactor: 0,
      sectorFactor: s,
      ...base,
      startPrice,
      baseVolume: rng.logBetween(3e7, 3e9) / startPrice,
      dividendYield: pays ? rng.between(0.005, 0.04) : 0,
      dividendMonth: 1 + rng.int(3),
      dividendDay: 5 + rng.int(16),
      priceLimit: 0,
    });
  }
  const krCount = KR_WORDS.length;
  for (let i = 0; i < krCount; i++) {
    const s = i % KR_SECTORS.length;
    const sector = KR_SECTORS[s]!;
    const ratio = KR_SPLITS[i];
    const base = stock(rng, i, krCount, KR_LATE_LISTINGS, ratio);
    const startPrice = ratio ? rng.between(30_000, 60_000) * ratio : rng.logBetween(3_000, 300_000);
    const code = `99${String((i + 1) * 10).padStart(4, '0')}`;
    const localName = `합성${KR_WORDS[i]}${sector.word}`;
    out.push({
      symbol: code,
      exchange: 'XKRX',
      name: `${localName} (synthetic)`,
      localName,
      type: 'stock',
      currency: 'KRW',
      localCode: code,
      sector: sector.name,
      marketFactor: 1,
      sectorFactor: US_SECTORS.length + s,
      ...base,
      startPrice,
      baseVolume: rng.logBetween(2e9, 2e11) / startPrice,
      dividendYield: rng.uniform() < 0.7 ? rng.between(0.01, 0.04) : 0,
      dividendMonth: 12,
      dividendDay: 0,
      priceLimit: 0.3,
    });
  }
  out.push({
    symbol: 'SYNBTC-USD',
    exchange: 'CRYPTO',
    name: 'Synthetic Bitcoin / US dollar (synthetic)',
    localName: undefined,
    type: 'crypto',
    currency: 'USD',
    localCode: undefined,
    sector: 'Crypto',
    marketFactor: -1,
    sectorFactor: -1,
    betaGlobal: 0.4,
    betaMarket: 0,
    betaSector: 0,
    idioVol: 0.032,
    driftPerDay: 0.35 / 365,
    reversion: 0.001,
    startPrice: rng.between(300, 500),
    baseVolume: rng.between(20_000, 40_000),
    listAt: 0,
    split: undefined,
    dividendYield: 0,
    dividendMonth: 0,
    dividendDay: 0,
    priceLimit: 0,
  });
  out.push({
    symbol: 'USDKRW',
    exchange: 'FX',
    name: 'US dollar / Korean won (synthetic)',
    localName: undefined,
    type: 'fx',
    currency: 'KRW',
    localCode: undefined,
    sector: 'FX',
    // Won weakens when Korean stocks fall: negative loadings on the global and KR factors.
    marketFactor: 1,
    sectorFactor: -1,
    betaGlobal: -0.25,
    betaMarket: -0.35,
    betaSector: 0,
    idioVol: 0.0035,
    driftPerDay: 0,
    reversion: 0.01,
    startPrice: rng.between(1_100, 1_200),
    baseVolume: rng.between(60_000, 120_000),
    listAt: 0,
    split: undefined,
    dividendYield: 0,
    dividendMonth: 0,
    dividendDay: 0,
    priceLimit: 0,
  });
  return out;
}
