import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../core/index.js';
import {
  calendarInfos,
  checkNames,
  importBarsWithActions,
  listActions,
  listCalendars,
  listCheckFailures,
  listCheckResults,
  listInstruments,
  readBars,
  runMarketChecks,
  sessionTimes,
  type Adjustment,
  type CheckConfig,
  type CheckName,
  type PricesInclude,
} from '../../market/index.js';
import type { Platform } from '../platform.js';
import { bodyObject, intParam, onlyFields, stringField, stringMapField } from './validate.js';

type Query = Record<string, string | undefined>;

/** A boolean query-string flag: absent, `true`/`1` or `false`/`0`. */
function flagParam(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UsageError(`Query parameter ${name}=${JSON.stringify(value)} must be true or false.`, {
    details: { parameter: name, value },
  });
}

/** An optional array-of-strings body field. */
function stringListField(body: Record<string, unknown>, name: string): string[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new UsageError(`Body field "${name}" must be an array of strings.`, {
      details: { field: name },
    });
  return v as string[];
}

/** Checks of a run request: names, or `{ name, severity?, blocking?, params? }` objects. */
function checksField(body: Record<string, unknown>): (CheckName | CheckConfig)[] | undefined {
  const v = body['checks'];
  if (v === undefined || v === null) return undefined;
  if (
    !Array.isArray(v) ||
    v.some((x) => typeof x !== 'string' && (x === null || typeof x !== 'object'))
  )
    throw new UsageError(
      `Body field "checks" must be an array of check names (${checkNames.join(', ')}) or { "name", "severity", "blocking", "params" } objects.`,
      { details: { field: 'checks' } },
    );
  return v as (CheckName | CheckConfig)[];
}

/** Calendars, bars (raw and adjusted), bar imports with declared adjustments, corporate actions, instruments, quality checks. */
export function marketRoutes(app: FastifyInstance, { lake }: Platform): void {
  app.get('/api/calendars', () => ({ calendars: calendarInfos(listCalendars()) }));

  app.get<{ Params: { mic: string }; Querystring: Query }>(
    '/api/calendars/:mic/sessions',
    (req) => {
      const { from, to } = req.query;
      if (from === undefined || to === undefined)
        throw new UsageError('Query parameters from and to are required (YYYY-MM-DD).', {
          details: { parameters: ['from', 'to'] },
        });
      return {
        calendar: req.params.mic.toUpperCase(),
        sessions: sessionTimes(req.params.mic, from, to),
      };
    },
  );

  app.get<{ Params: { symbol: string }; Querystring: Query }>('/api/bars/:symbol', (req) =>
    readBars(lake, {
      symbol: req.params.symbol,
      from: req.query['from'],
      to: req.query['to'],
      adjust: req.query['adjust'] as Adjustment | undefined,
      asOf: req.query['asOf'],
    }),
  );

  app.post('/api/bars/import', async (req, reply) => {
    const body = bodyObject(
      req.body,
      '{ "file": "/server/path.csv", "pricesInclude": "none" | "split" | "split_dividend", ... }',
    );
    onlyFields(body, [
      'file',
      'pricesInclude',
      'symbol',
      'columns',
      'dateFormat',
      'delimiter',
      'source',
      'currency',
    ]);
    const file = stringField(body, 'file');
    if (file === undefined) throw new UsageError('Body must name "file": a path on the server.');
    const result = await importBarsWithActions(lake, file, {
      pricesInclude: body['pricesInclude'] as PricesInclude,
      symbol: stringField(body, 'symbol'),
      columns: stringMapField(body, 'columns'),
      dateFormat: stringField(body, 'dateFormat'),
      delimiter: stringField(body, 'delimiter'),
      source: stringField(body, 'source'),
      currency: stringField(body, 'currency'),
      writer: 'api',
    });
    return reply.code(201).send(result);
  });

  app.get<{ Params: { symbol: string }; Querystring: Query }>(
    '/api/actions/:symbol',
    async (req) => ({
      actions: await listActions(lake, req.params.symbol, { asOf: req.query['asOf'] }),
    }),
  );

  app.get<{ Querystring: Query }>('/api/instruments', async (req) => ({
    instruments: await listInstruments(lake, {
      exchange: req.query['exchange'],
      type: req.query['type'],
      symbol: req.query['symbol'],
    }),
  }));

  app.get<{ Querystring: Query }>('/api/checks', async (req) => ({
    results: await listCheckResults(lake, {
      asset: req.query['asset'],
      partition: req.query['partition'],
      check: req.query['check'],
      runId: req.query['runId'],
      failed: flagParam(req.query['failed'], 'failed'),
      history: flagParam(req.query['history'], 'history'),
      limit: intParam(req.query['limit'], 'limit', 1),
    }),
  }));

  app.get<{ Querystring: Query }>('/api/checks/failures', async (req) => ({
    failures: await listCheckFailures(lake, {
      asset: req.query['asset'],
      partition: req.query['partition'],
      check: req.query['check'],
      symbol: req.query['symbol'],
      runId: req.query['runId'],
      limit: intParam(req.query['limit'], 'limit', 1) ?? 10_000,
      offset: intParam(req.query['offset'], 'offset', 0),
    }),
  }));

  app.post('/api/checks/run', async (req, reply) => {
    const body = bodyObject(
      req.body,
      '{ "dataset": "bars_1d", "partition"?, "from"?, "to"?, "symbols"?, "checks"?, "calendar"? }',
    );
    onlyFields(body, [
      'dataset',
      'asset',
      'partition',
      'from',
      'to',
      'symbols',
      'checks',
      'calendar',
    ]);
    const dataset = stringField(body, 'dataset');
    if (dataset === undefined)
      throw new UsageError('Body must name "dataset": the bars dataset to check.');
    const summary = await runMarketChecks(lake, {
      dataset,
      asset: stringField(body, 'asset'),
      partition: stringField(body, 'partition'),
      from: stringField(body, 'from'),
      to: stringField(body, 'to'),
      symbols: stringListField(body, 'symbols'),
      checks: checksField(body),
      calendar: stringField(body, 'calendar'),
    });
    return reply.code(201).send(summary);
  });
}
