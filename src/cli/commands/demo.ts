import path from 'node:path';
import type { Command } from 'commander';
import { MarketlakeError, UsageError } from '../../core/index.js';
import type * as MarketDomain from '../../market/index.js';
import type { DemoFile, DemoMarket, DemoWriteResult } from '../../market/index.js';
import { loadCliConfig, type GlobalFlags } from '../context.js';
import { printJson, printTable } from '../output.js';
import { parseInteger } from '../parse.js';

/** Options of `marketlake demo` as commander parses them. */
interface DemoFlags {
  seed: string;
  years: string;
  from?: string;
  out?: string;
  layout: string;
  drip?: boolean;
  intervalMs: string;
  liveDays: string;
  json?: boolean;
}

const LABEL = 'SYNTHETIC demo data: made-up instruments and prices, not real market data.';

/** `marketlake demo`: writes the synthetic market's vendor files into the project's inbox. */
export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'write a seeded synthetic market (US and Korean stocks, crypto, FX; labelled synthetic) as vendor files',
    )
    .option('--seed <n>', 'random seed: same seed, byte-identical files', '42')
    .option('--years <n>', 'years of history (1-35)', '10')
    .option('--from <date>', 'first date, YYYY-MM-DD (default 2015-01-01)')
    .option('--out <dir>', 'folder to write to (default: <project>/inbox)')
    .option('--layout <layout>', 'history (one file per market and year) or daily', 'history')
    .option(
      '--drip',
      'hold back the last --live-days and drop one date per --interval-ms, until done',
    )
    .option('--interval-ms <ms>', 'with --drip: time between two dates', '10000')
    .option('--live-days <n>', 'with --drip: calendar days dripped after the history', '90')
    .option('--json', 'print {label, seed, from, to, dir, files, plantedErrors, ...}')
    .addHelpText(
      'after',
      `
Everything written is synthetic: symbols SYN* (US), KRX codes 99xxxx with Korean names 합성...,
SYNBTC-USD and USDKRW; names end in "(synthetic)" and every bar's source is "synthetic-demo".
A few rows carry planted errors (listed in the output and in SYNTHETIC-DATA.txt) for the checks.

Examples:
  $ marketlake demo --project examples/demo
  $ marketlake demo --seed 7 --years 2 --out /tmp/feed --json
  $ marketlake lake import inbox/us-eod-*.csv inbox/krx-daily-*.csv --dataset bars_1d
  $ marketlake demo --drip --interval-ms 2000 --live-days 30`,
    )
    .action(async (opts: DemoFlags, cmd: Command) => {
      const seed = parseInteger(opts.seed, '--seed', 0);
      const years = parseInteger(opts.years, '--years', 1);
      if (opts.layout !== 'history' && opts.layout !== 'daily')
        throw new UsageError(`--layout must be history or daily, got "${opts.layout}".`);
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      const out =
        opts.out === undefined
          ? path.join((await loadCliConfig(flags)).config.project, 'inbox')
          : path.resolve(opts.out);
      // Loaded here so that other commands start without the market domain.
      const demo = await import('../../market/index.js');
      const options = { seed, years, from: opts.from };
      try {
        demo.resolveDemoOptions(options);
      } catch (err) {
        if (err instanceof MarketlakeError)
          throw new UsageError(`${err.message} (--seed, --years, --from)`, { cause: err });
        throw err;
      }
      if (opts.drip) {
        await runDrip(demo, out, options, opts);
        return;
      }
      const started = performance.now();
      const market = demo.generateDemoMarket(options);
      const result = await demo.writeDemoFiles(market, out, {
        layout: opts.layout,
      });
      report(market, result, opts.json === true, performance.now() - started);
    });
}

function report(market: DemoMarket, result: DemoWriteResult, json: boolean, ms: number): void {
  const perMarket = (name: string): number =>
    market.instruments.filter((i) => i.exchange === name).length;
  if (json) {
    printJson({
      label: market.label,
      seed: market.seed,
      from: market.from,
      to: market.to,
      dir: result.dir,
      instruments: market.instruments.length,
      corporateActions: market.corporateActions.length,
      barRows: result.barRows,
      files: result.files.map((f) => ({ ...f, name: path.basename(f.path) })),
      plantedErrors: market.plantedErrors,
    });
    return;
  }
  const shown = path.relative(process.cwd(), result.dir) || '.';
  process.stdout.write(
    `${LABEL}\n` +
      `Wrote ${result.files.length} files to ${shown} in ${(ms / 1000).toFixed(1)} s: seed ${market.seed}, ` +
      `${market.from}..${market.to}, ${result.barRows} bar rows, ${market.instruments.length} instruments ` +
      `(${perMarket('XNYS')} XNYS, ${perMarket('XKRX')} XKRX, ${perMarket('CRYPTO')} crypto, ` +
      `${perMarket('FX')} FX), ${market.corporateActions.length} corporate actions.\n\n`,
  );
  printTable(summary(result.files));
  process.stdout.write('\nPlanted data errors (for imports and checks to catch):\n');
  printTable(
    market.plantedErrors.map((e) => ({
      kind: e.kind,
      symbol: e.symbol,
      exchange: e.exchange,
      date: e.date,
      sessions: e.sessions,
      expected: e.expected,
    })),
  );
  const rel = (glob: string): string => path.join(shown, glob);
  process.stdout.write(
    `\nImport by hand (a running demo's pipelines pick them up by themselves):\n` +
      `  marketlake lake import ${rel('instruments.csv')} --dataset instruments\n` +
      `  marketlake lake import ${rel('corporate-actions-*.csv')} --dataset corporate_actions\n` +
      `  marketlake lake import ${rel('us-eod-*.csv')} ${rel('krx-daily-*.csv')} ${rel('crypto-daily-*.csv')} ${rel('fx-daily-*.csv')} --dataset bars_1d\n`,
  );
}

/** Files grouped by dataset and name pattern. */
function summary(files: readonly DemoFile[]): Record<string, unknown>[] {
  const groups = new Map<string, { dataset: string; files: number; rows: number }>();
  for (const f of files) {
    const pattern = path.basename(f.path).replace(/-(history-\d{4}|\d{8})\.csv$/, '-*.csv');
    const g = groups.get(pattern) ?? { dataset: f.dataset ?? '(readme)', files: 0, rows: 0 };
    g.files++;
    g.rows += f.rows;
    groups.set(pattern, g);
  }
  return [...groups].map(([pattern, g]) => ({ pattern, ...g }));
}

async function runDrip(
  demo: typeof MarketDomain,
  inbox: string,
  options: { seed: number; years: number; from: string | undefined },
  opts: DemoFlags,
): Promise<void> {
  const intervalMs = parseInteger(opts.intervalMs, '--interval-ms', 10);
  const liveDays = parseInteger(opts.liveDays, '--live-days', 1);
  await new Promise<void>((resolve, reject) => {
    let drip: ReturnType<typeof demo.createDemoDrip>;
    try {
      drip = demo.createDemoDrip({
        ...options,
        inbox,
        intervalMs,
        liveDays,
        onStep: (s) =>
          opts.json
            ? process.stdout.write(
                JSON.stringify({
                  date: s.date,
                  files: s.files.map((f) => f.path),
                  remaining: s.remaining,
                }) + '\n',
              )
            : process.stdout.write(
                `${s.date}: ${s.files.map((f) => path.basename(f.path)).join(', ')} (${s.remaining} to go)\n`,
              ),
        onError: (err) => process.stderr.write(`drip: ${String(err)}\n`),
        onDone: () => {
          process.off('SIGINT', stop).off('SIGTERM', stop);
          resolve();
        },
      });
    } catch (err) {
      reject(
        err instanceof MarketlakeError ? new UsageError(err.message, { cause: err }) : asError(err),
      );
      return;
    }
    const stop = (): void => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      drip.stop().then(resolve, reject);
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
    if (!opts.json)
      process.stdout.write(
        `${LABEL}\nDripping ${drip.remaining} dates from ${drip.nextDate ?? '-'} into ${inbox}, one every ${intervalMs} ms (Ctrl-C stops; a rerun continues).\n`,
      );
    drip.start().catch((err: unknown) => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      reject(asError(err));
    });
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
