import { Command } from 'commander';
import { version } from '../core/index.js';
import { configCommand } from './commands/config.js';
import { demoCommand } from './commands/demo.js';
import { initCommand } from './commands/init.js';
import { lakeCommand } from './commands/lake.js';
import { quarantineCommand } from './commands/quarantine.js';
import { upCommand } from './commands/up.js';
import { assetsCommand } from './commands/assets.js';
import { backfillCommand } from './commands/backfill.js';
import { logsCommand } from './commands/logs.js';
import { runCommand } from './commands/run.js';
import { runsCommand } from './commands/runs.js';
import { workerCommand } from './commands/worker.js';
import { actionsCommand } from './commands/actions.js';
import { barsCommand } from './commands/bars.js';
import { calendarCommand } from './commands/calendar.js';
import { checksCommand } from './commands/checks.js';
import { importBarsCommand } from './commands/import-bars.js';
import { instrumentsCommand } from './commands/instruments.js';
import { sourcesCommand } from './commands/sources.js';
import { alertsCommand } from './commands/alerts.js';
import { topCommand } from './commands/top.js';

/** Builds the `marketlake` command tree. */
export function buildProgram(): Command {
  const program = new Command('marketlake')
    .version(version)
    .description(
      'marketlake: a self-hosted market data platform (Parquet lake, pipelines, analytics, observability)',
    )
    .option('--project <dir>', 'project folder with marketlake.config.ts (default: current folder)')
    .option(
      '--home <dir>',
      'where marketlake keeps its data (MARKETLAKE_HOME; default <project>/.marketlake)',
    )
    .option(
      '--database-url <url>',
      'metadata database: sqlite:<file> or postgres://... (MARKETLAKE_DATABASE_URL)',
    )
    .option('--lake-path <dir>', 'Parquet lake folder (MARKETLAKE_LAKE_PATH; default <home>/lake)')
    .option(
      '--log-level <level>',
      'fatal, error, warn, info, debug, trace or silent (MARKETLAKE_LOG_LEVEL)',
    )
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake init my-market && cd my-market
  $ marketlake up
  $ marketlake lake import prices.csv.gz --dataset bars_1d
  $ marketlake lake query "SELECT count(*) FROM bars_1d" --json`,
    );
  initCommand(program);
  upCommand(program);
  workerCommand(program);
  assetsCommand(program);
  runCommand(program);
  backfillCommand(program);
  runsCommand(program);
  logsCommand(program);
  topCommand(program);
  configCommand(program);
  lakeCommand(program);
  quarantineCommand(program);
  calendarCommand(program);
  barsCommand(program);
  importBarsCommand(program);
  actionsCommand(program);
  instrumentsCommand(program);
  sourcesCommand(program);
  checksCommand(program);
  alertsCommand(program);
  demoCommand(program);
  return program;
}
