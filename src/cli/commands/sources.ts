import type { Command } from 'commander';
import { describeSources, type SourceInfo } from '../../connectors/index.js';
import { withContext, type GlobalFlags } from '../context.js';
import { formatOf, printJson, printRows } from '../output.js';

function row(s: SourceInfo): Record<string, unknown> {
  const last =
    s.health
      .map((h) => h.lastIngestedAt ?? '')
      .sort()
      .at(-1) ?? '';
  return {
    name: s.name,
    writes: s.writes.join(' '),
    key: s.key
      ? `${s.key.configured ? 'set' : s.key.required ? 'MISSING' : 'unset'} (${s.key.env})`
      : 'none needed',
    rows: s.health.reduce((n, h) => n + h.rows, 0),
    last_ingested_at: last,
    base_url: s.baseUrl,
    terms: s.terms,
  };
}

/** `marketlake sources`: built-in connectors, whether their key is set, base URL, terms, health. */
export function sourcesCommand(program: Command): void {
  program
    .command('sources')
    .description(
      'list the built-in data connectors: key secret configured?, base URL, terms of use, last ingestion',
    )
    .option('--json', 'one JSON document (connectors and other sources seen in the lake)')
    .option('--csv', 'CSV')
    .addHelpText(
      'after',
      `
Keys are read from MARKETLAKE_SECRET_<NAME> (e.g. MARKETLAKE_SECRET_FRED_API_KEY); values are never printed.

Examples:
  $ marketlake sources
  $ MARKETLAKE_SECRET_KRX_AUTH_KEY=... marketlake sources --json`,
    )
    .action(async (opts: { json?: boolean; csv?: boolean }, cmd: Command) => {
      await withContext(cmd.optsWithGlobals<GlobalFlags>(), async ({ lake }) => {
        const report = await describeSources({ lake });
        if (opts.json) {
          printJson(report);
          return;
        }
        const format = formatOf(opts);
        printRows(format, report.connectors.map(row), [
          'name',
          'writes',
          'key',
          'rows',
          'last_ingested_at',
          'base_url',
          ...(format === 'csv' ? ['terms'] : []),
        ]);
        if (format === 'table' && report.others.length > 0) {
          process.stdout.write('\nother sources in the lake:\n');
          printRows(format, report.others as unknown as Record<string, unknown>[], [
            'source',
            'dataset',
            'rows',
            'lastIngestedAt',
            'lastDate',
          ]);
        }
      });
    });
}
