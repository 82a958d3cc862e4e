import { ConnectorNotFoundError } from '../errors.js';
import type { Connector } from '../sdk/define-connector.js';
import { binance } from './binance/binance.js';
import { binanceIntraday } from './binance/binance-intraday.js';
import { dataGoKr } from './data-go-kr/data-go-kr.js';
import { ecb } from './ecb/ecb.js';
import { fred } from './fred/fred.js';
import { krx } from './krx/krx.js';
import { stooq } from './stooq/stooq.js';
import { upbit } from './upbit/upbit.js';
import { upbitIntraday } from './upbit/upbit-intraday.js';
import { yahoo, yahooIntraday } from './yahoo/yahoo.js';

/** The connectors marketlake ships, by name. */
export const builtinConnectors: readonly Connector[] = [
  yahoo,
  yahooIntraday,
  stooq,
  fred,
  ecb,
  binance,
  binanceIntraday,
  upbit,
  upbitIntraday,
  krx,
  dataGoKr,
];

/** A built-in connector by name; throws `CONNECTOR_NOT_FOUND` listing the known ones. */
export function getConnector(name: string, extra: readonly Connector[] = []): Connector {
  const found = [...extra, ...builtinConnectors].find((c) => c.name === name);
  if (!found)
    throw new ConnectorNotFoundError(
      `No connector "${name}". Known: ${[...builtinConnectors, ...extra].map((c) => c.name).join(', ')}. Custom sources are defined with defineConnector().`,
      { details: { name } },
    );
  return found;
}
