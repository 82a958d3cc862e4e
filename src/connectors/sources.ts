import type { Lake } from '../lake/index.js';
import { builtinConnectors } from './providers/registry.js';
import type { Connector } from './sdk/define-connector.js';
import { lookupSecret, secretEnvName } from './secrets.js';

/** What the lake shows about one source: its latest write and latest data date. */
export interface SourceHealth {
  source: string;
  dataset: string;
  rows: number;
  /** Latest `ingested_at` (UTC, 'YYYY-MM-DD HH:MM:SS'), or null when rows carry none. */
  lastIngestedAt: string | null;
  /** Latest data date. */
  lastDate: string | null;
}

/** A built-in connector as `marketlake sources` and `GET /api/sources` show it. */
export interface SourceInfo {
  name: string;
  title: string;
  description: string;
  writes: readonly string[];
  unit: 'symbol' | 'date';
  baseUrl: string;
  homepage?: string;
  terms: string;
  rateLimit: string;
  /** The key secret: its name, environment variable, whether required, whether set (never its value). */
  key: { secret: string; env: string; required: boolean; configured: boolean } | null;
  /** Whether a run can start (a required key is set). */
  ready: boolean;
  health: SourceHealth[];
}

/** The sources report: built-in connectors, and other sources found in the lake (file drops, custom connectors). */
export interface SourcesReport {
  connectors: SourceInfo[];
  others: SourceHealth[];
}

const DATE_COLUMN: Record<string, string> = { bars_1d: 'date', bars_1m: 'ts', series_1d: 'date' };

/** Rows, latest ingestion and latest date per source in bars_1d, bars_1m and series_1d. */
export async function sourceHealth(lake: Lake): Promise<SourceHealth[]> {
  const present = new Set((await lake.datasets()).map((d) => d.name));
  const out: SourceHealth[] = [];
  for (const [dataset, dateCol] of Object.entries(DATE_COLUMN)) {
    if (!present.has(dataset)) continue;
    const res = await lake.query(
      `SELECT source, count(*) AS n, CAST(max(ingested_at) AS VARCHAR) AS at, CAST(CAST(max(${dateCol}) AS DATE) AS VARCHAR) AS d FROM ${dataset} WHERE source IS NOT NULL GROUP BY source ORDER BY source`,
    );
    for (const r of res.rows)
      out.push({
        source: String(r['source']),
        dataset,
        rows: Number(r['n']),
        lastIngestedAt: typeof r['at'] === 'string' ? r['at'].slice(0, 19) : null,
        lastDate: typeof r['d'] === 'string' ? r['d'] : null,
      });
  }
  return out;
}

/**
 * Describes the connectors (built-in plus `extra`): what they fetch, base URL, terms, whether
 * their key is configured (from `secrets` or `MARKETLAKE_SECRET_*`), and, with a lake, health.
 */
export async function describeSources(
  options: {
    lake?: Lake;
    env?: NodeJS.ProcessEnv;
    secrets?: Readonly<Record<string, string>>;
    extra?: readonly Connector[];
  } = {},
): Promise<SourcesReport> {
  const health = options.lake ? await sourceHealth(options.lake) : [];
  const connectors = [...builtinConnectors, ...(options.extra ?? [])];
  const names = new Set(connectors.map((c) => c.name));
  return {
    connectors: connectors.map((c) => {
      const key = c.key
        ? {
            secret: c.key.secret,
            env: secretEnvName(c.key.secret),
            required: c.key.required,
            configured: lookupSecret(c.key.secret, options.secrets, options.env) !== undefined,
          }
        : null;
      return {
        name: c.name,
        title: c.title,
        description: c.description,
        writes: c.writes,
        unit: c.unit,
        baseUrl: c.baseUrl,
        homepage: c.homepage,
        terms: c.terms,
        rateLimit: c.rateLimit.note,
        key,
        ready: !key || !key.required || key.configured,
        health: health.filter((h) => h.source === c.name),
      };
    }),
    others: health.filter((h) => !names.has(h.source)),
  };
}
